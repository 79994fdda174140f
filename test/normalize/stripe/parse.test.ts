import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, fixtureJson, normalizeFixture, observed, SOURCES, webhook } from "../support.js"

const stripe = SOURCES.stripe
const outcomeOf = (path: string, src = stripe) => observed(normalizeFixture(`stripe/${path}`, src))
const mutated = (path: string, change: (event: Record<string, unknown>, object: Record<string, unknown>) => void) => {
  const json = fixtureJson(`stripe/${path}`)
  change(json, (json.data as Record<string, Record<string, unknown>>).object!)
  return normalizeWebhook(webhook(stripe.id, JSON.stringify(json)), context(stripe))
}

describe("Stripe events: given the event, then the order", () => {
  it.each<
    [string, string, { key: string; paidAt?: string; value: { amountMinor: number; currency: string }; status: string }]
  >([
    [
      "checkout-session-completed.json",
      "paid at once by card",
      {
        key: "stripe-eu:pi_3QRsTuAbCdEf0123xYz45678",
        paidAt: "2024-12-01T13:01:05.000Z",
        value: { amountMinor: 5990, currency: "EUR" },
        status: "paid"
      }
    ],
    [
      "checkout-session-completed-unpaid.json",
      "SEPA: completed but unpaid",
      { key: "stripe-eu:pi_3QSuVwBcDeFg1234yZa56789", value: { amountMinor: 8450, currency: "EUR" }, status: "pending" }
    ],
    [
      "checkout-session-async-payment-succeeded.json",
      "the SEPA payment settles: same order",
      {
        key: "stripe-eu:pi_3QSuVwBcDeFg1234yZa56789",
        paidAt: "2024-12-05T16:02:10.000Z",
        value: { amountMinor: 8450, currency: "EUR" },
        status: "paid"
      }
    ],
    [
      "payment-intent-succeeded.json",
      "an Elements payment",
      {
        key: "stripe-eu:pi_3QUxYzDeFgHi3456aBc78901",
        paidAt: "2024-12-04T16:00:12.000Z",
        value: { amountMinor: 4999, currency: "USD" },
        status: "paid"
      }
    ],
    [
      "invoice-paid.json",
      "a subscription's first invoice, paid at status_transitions.paid_at",
      {
        key: "stripe-eu:in_1QVyZaEfGhIj4567BcDe8901",
        paidAt: "2024-12-05T16:00:03.000Z",
        value: { amountMinor: 29900, currency: "SEK" },
        status: "paid"
      }
    ],
    [
      "checkout-session-completed-test.json",
      "a test-mode yen payment (zero-decimal)",
      {
        key: "stripe-eu:pi_3QWzAbFgHiJk5678cDe90123",
        paidAt: "2024-12-06T15:47:22.000Z",
        value: { amountMinor: 4980, currency: "JPY" },
        status: "paid"
      }
    ]
  ])("%s: %s", (path, _, expected) => {
    const outcome = outcomeOf(path)
    expect(outcome.orderKey).toBe(expected.key)
    expect(outcome.paidAt).toBe(expected.paidAt)
    expect(outcome.snapshot?.value).toEqual(expected.value)
    expect(outcome.snapshot?.status).toBe(expected.status)
  })

  it("reads the customer, metadata tracking and the promotions opt-in of a session", () => {
    const snapshot = outcomeOf("checkout-session-completed.json").snapshot
    expect(snapshot).toMatchObject({
      platform: "stripe",
      market: "FR",
      partner: "google",
      products: ["stripe-checkout"],
      updatedAt: "2024-12-01T13:01:05.000Z",
      placedAt: "2024-12-01T13:00:00.000Z",
      customer: {
        email: "camille.dubois@example.fr",
        phone: "+33 6 12 34 56 78",
        firstName: "Camille",
        lastName: "Dubois",
        city: "Lyon",
        zip: "69002",
        country: "FR",
        externalId: "cus_RAbCdEfGh12345"
      },
      consent: { adUserData: "granted", adPersonalization: "granted", source: "stripe:consent.promotions" }
    })
    expect(snapshot?.tracking).toMatchObject({
      gclid: expect.stringMatching(/^Cj0KCQiA_9u5/),
      landingUrl: "https://www.acme-vitamins.com/fr/vitamine-d3",
      utm: { source: "google", medium: "cpc", campaign: "fr_generic_vitamins" }
    })
  })

  it("splits a multi-word last name and keeps a Dutch local phone as given", () => {
    const { customer } = outcomeOf("checkout-session-completed-unpaid.json").snapshot!
    expect(customer).toMatchObject({ firstName: "Daan", lastName: "de Vries", phone: "06 12345678", country: "NL" })
  })

  it("reads fbc, fbp and fbclid from payment intent metadata", () => {
    const { tracking, partner, customer } = outcomeOf("payment-intent-succeeded.json").snapshot!
    expect(tracking).toMatchObject({
      fbclid: "IwAR2aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
      fbc: "fb.1.1733327800456.IwAR2aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
      fbp: "fb.1.1733327799000.555666777",
      fbclidCapturedAt: "2024-12-04T15:56:40.456Z",
      utm: { source: "instagram", medium: "paid_social" }
    })
    expect(partner).toBe("meta")
    expect(customer).toMatchObject({
      email: "jordan.lee@example.com",
      region: "TX",
      country: "US",
      firstName: "Jordan",
      lastName: "Lee"
    })
  })

  it("reads invoice lines (current API) and subscription metadata", () => {
    const snapshot = outcomeOf("invoice-paid.json").snapshot!
    expect(snapshot.orderNumber).toBe("ACME-0042-0001")
    expect(snapshot.lineItems).toEqual([
      {
        productId: "prod_QAbCdEfGhIjKlM",
        variantId: "price_1PZaBcDeFgHiJk12SubMonth",
        name: "1 × Vitamin-prenumeration (at 299.00 kr / month)",
        quantity: 1,
        priceMinor: 29900,
        product: "stripe-checkout"
      }
    ])
    expect(snapshot.tracking.gclid).toMatch(/^CjwKCAiA3ZC6/)
    expect(snapshot.customer).toMatchObject({ email: "astrid.berg@example.se", country: "SE" })
  })

  it("takes the merchant's currency of an Adaptive Pricing session as the shop value", () => {
    const snapshot = outcomeOf("checkout-session-completed-chf.json").snapshot!
    expect(snapshot.value).toEqual({ amountMinor: 4690, currency: "CHF" })
    expect(snapshot.shopValue).toEqual({ amountMinor: 4990, currency: "EUR" })
    expect(snapshot.partner).toBe("impact")
  })

  it("marks livemode: false as a test order", () => {
    const outcome = outcomeOf("checkout-session-completed-test.json")
    expect(outcome.ignore).toEqual({ reason: "test_order", detail: "platform test flag (stripe livemode: false)" })
    expect(outcome.snapshot?.test).toBe(true)
  })

  it("reads charge.refunded as the charge's cumulative refund on the payment's order", () => {
    const partial = outcomeOf("charge-refunded-partial.json")
    expect(partial).toMatchObject({ orderKey: "stripe-eu:pi_3QRsTuAbCdEf0123xYz45678", fullyRefunded: false })
    expect(partial.refunds).toEqual([
      { id: "ch_3QRsTuAbCdEf0123xYz45678", amountMinor: 1500, currency: "EUR", at: "2024-12-06T13:00:00.000Z" }
    ])
    const full = outcomeOf("charge-refunded-full.json")
    expect(full.fullyRefunded).toBe(true)
    expect(full.refunds[0]?.amountMinor).toBe(5990)
  })

  it.each([
    ["isk", 1_000_000, "ISK", 10_000], // two digits in Stripe's API, none in ours
    ["huf", 1_299_000, "HUF", 12_990],
    ["kwd", 12_345, "KWD", 12_345],
    ["jpy", 4_980, "JPY", 4_980],
    ["EUR", 5_990, "EUR", 5_990]
  ])("converts Stripe's %s minor units", (currency, amount, code, minor) => {
    const outcome = mutated("checkout-session-completed.json", (_, object) => {
      object.currency = currency
      object.amount_total = amount
    })
    expect(observed(outcome).snapshot?.value).toEqual({ amountMinor: minor, currency: code })
  })
})

describe("Stripe ids and shop orders", () => {
  it("lands a payment naming a shop order (ordersOf) on the shop's key and company", () => {
    const outcome = outcomeOf("checkout-session-completed-shop-order.json", SOURCES.stripeUk)
    expect(outcome).toMatchObject({
      orderKey: "woo-uk:4526",
      billingKey: "stripe-uk:pi_3QTvWxCdEfGh2345zAb67890",
      keyFrom: "payload",
      sourceId: "stripe-uk"
    })
    expect(outcome.snapshot).toMatchObject({
      platformOrderId: "4526",
      sourceId: "stripe-uk",
      company: "acme-uk",
      market: "GB",
      partner: "awin"
    })
  })

  it("keeps metadata.order_id in the Stripe source's own space without ordersOf", () => {
    expect(outcomeOf("checkout-session-completed-shop-order.json").orderKey).toBe(
      "stripe-eu:pi_3QTvWxCdEfGh2345zAb67890"
    )
  })

  it("marks a billing source's payment without order id as a possible alias", () => {
    expect(outcomeOf("charge-refunded-partial.json", SOURCES.stripeUk)).toMatchObject({
      orderKey: "stripe-uk:pi_3QRsTuAbCdEf0123xYz45678",
      keyFrom: "billing-alias"
    })
  })

  it("puts a session with an invoice on the invoice's order", () => {
    const outcome = mutated("checkout-session-completed.json", (_, object) => {
      object.invoice = "in_1QVyZaEfGhIj4567BcDe8901"
    })
    expect(observed(outcome).orderKey).toBe("stripe-eu:in_1QVyZaEfGhIj4567BcDe8901")
  })

  it("fails an async payment: cancellation", () => {
    const outcome = mutated("checkout-session-completed-unpaid.json", (event) => {
      event.type = "checkout.session.async_payment_failed"
    })
    expect(observed(outcome).cancellation).toEqual({ at: "2024-12-02T16:01:30.000Z", reason: "async payment failed" })
  })

  it.each([
    ["customer.created", "customer-created.json"],
    ["checkout.session.expired", "checkout-session-completed.json"],
    ["payment_intent.created", "payment-intent-succeeded.json"]
  ])("skips %s", (type, path) => {
    const outcome = mutated(path, (event) => {
      event.type = type
    })
    expect(outcome).toMatchObject({ _tag: "Skipped", reason: `event ${type} says nothing about an order` })
  })

  it("skips a session in setup mode", () => {
    const outcome = mutated("checkout-session-completed.json", (_, object) => {
      object.mode = "setup"
      object.amount_total = null
    })
    expect(outcome).toMatchObject({ _tag: "Skipped" })
  })
})
