import { describe, expect, it } from "vitest"
import type { CanonicalOrder } from "../../../src/events/CanonicalOrder.js"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, fixtureJson, fixtureText, normalizeFixture, observed, SOURCES, webhook } from "../support.js"

const shop = SOURCES.shopDe
const snapshotOf = (path: string, topic: string, src = shop): CanonicalOrder => {
  const snapshot = observed(normalizeFixture(`shopify/${path}`, src, topic)).snapshot
  if (!snapshot) throw new Error("no snapshot")
  return snapshot
}

describe("Shopify orders/paid, golden", () => {
  it("normalizes #1042 completely", () => {
    expect(snapshotOf("orders-paid.json", "orders/paid")).toEqual({
      orderKey: "shop-de:5678901234567",
      sourceId: "shop-de",
      platform: "shopify",
      platformOrderId: "5678901234567",
      orderNumber: "#1042",
      company: "acme",
      market: "DE",
      products: ["vitamins", "omega"],
      partner: "google",
      status: "paid",
      value: { amountMinor: 6326, currency: "EUR" },
      refundedMinor: 0,
      lineItems: [
        {
          productId: "8123456789011",
          variantId: "45123456789011",
          sku: "VIT-D3-1000",
          name: "Vitamin D3 1000 IU - 120 Tabletten",
          quantity: 2,
          priceMinor: 1995,
          product: "vitamins"
        },
        {
          productId: "8123456789012",
          variantId: "45123456789012",
          sku: "OMG-3-60",
          name: "Omega-3 Capsules - 60 Kapseln",
          quantity: 1,
          priceMinor: 2495,
          product: "omega"
        }
      ],
      customer: {
        email: "lena.mueller@example.de",
        phone: "+49 151 23456789",
        firstName: "Lena",
        lastName: "Müller",
        city: "Berlin",
        zip: "10115",
        country: "DE",
        externalId: "7012345678901"
      },
      placedAt: "2024-11-29T09:15:03.000Z",
      paidAt: "2024-11-29T09:15:03.000Z",
      updatedAt: "2024-11-30T07:01:44.000Z",
      clientIp: "203.0.113.42",
      userAgent:
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      consent: {},
      tracking: {
        gclid: "Cj0KCQiAgJa6BhCOARIsAMiL7V8xQf2Zk9pTqLr3vN1eWmYbHcDsUoJ4aE5tGiK0wX7yR6uP2nMaAk0BEALw_wcB",
        fbp: "fb.1.1732871512345.987654321",
        clickIds: {},
        utm: { source: "google", medium: "cpc", campaign: "de_brand_search" },
        landingUrl:
          "https://www.acme-vitamins.com/products/vitamin-d3?gclid=Cj0KCQiAgJa6BhCOARIsAMiL7V8xQf2Zk9pTqLr3vN1eWmYbHcDsUoJ4aE5tGiK0wX7yR6uP2nMaAk0BEALw_wcB&utm_source=google&utm_medium=cpc&utm_campaign=de_brand_search",
        referrer: "https://www.google.com/",
        coupon: "WELCOME10"
      },
      tags: [],
      test: false
    })
  })
})

describe("Shopify order topics: given a fixture, then", () => {
  it.each<[string, string, string, Partial<CanonicalOrder>]>([
    [
      "orders-create.json",
      "orders/create",
      "an unpaid bank transfer is pending",
      { status: "pending", paidAt: undefined as never }
    ],
    [
      "orders-updated.json",
      "orders/updated",
      "a later update keeps it paid and brings the new tag",
      { status: "paid", tags: ["repeat-customer"], updatedAt: "2024-12-02T13:30:12.000Z" }
    ],
    [
      "orders-updated-partially-refunded.json",
      "orders/updated",
      "the refunds[] of a snapshot count",
      { status: "partially_refunded", refundedMinor: 2245 }
    ],
    [
      "orders-cancelled.json",
      "orders/cancelled",
      "a voided, cancelled order",
      { status: "cancelled", market: "AT", partner: undefined as never }
    ],
    [
      "orders-paid-cad.json",
      "orders/paid",
      "a Canadian store: awc in note attributes, market from billing",
      { market: "CA", company: "acme", partner: "awin", value: { amountMinor: 13101, currency: "CAD" } }
    ],
    [
      "orders-paid-no-address.json",
      "orders/paid",
      "no address: the market falls back to the source's",
      { market: "DE", partner: "impact" }
    ]
  ])("%s (%s): %s", (path, topic, _, expected) => {
    const snapshot = snapshotOf(path, topic)
    for (const [key, value] of Object.entries(expected)) expect(snapshot[key as keyof CanonicalOrder]).toEqual(value)
  })

  it("keeps ids beyond 2^53 exactly and separates presentment from shop currency", () => {
    const snapshot = snapshotOf("orders-paid-presentment.json", "orders/paid")
    expect(snapshot.orderKey).toBe("shop-de:820982911946154508")
    expect(snapshot.lineItems[0]).toMatchObject({ priceMinor: 2690, quantity: 2 })
    expect(snapshot.value).toEqual({ amountMinor: 6170, currency: "CHF" })
    expect(snapshot.shopValue).toEqual({ amountMinor: 6704, currency: "EUR" })
    expect(snapshot.market).toBe("CH")
    expect(snapshot.customer).toMatchObject({ phone: "+41 79 123 45 67", region: "ZH", country: "CH" })
    expect(snapshot.clientIp).toBe("2001:db8:85a3::8a2e:370:7334")
  })

  it("finds fbclid in a full landing URL and dates it by the _fbc cookie", () => {
    const { tracking, partner, consent } = snapshotOf("orders-paid-presentment.json", "orders/paid")
    expect(tracking.fbclid).toMatch(/^IwZXh0bgNhZW0/)
    expect(tracking.fbc).toBe(`fb.1.1733083501234.${tracking.fbclid}`)
    expect(tracking.fbclidCapturedAt).toBe("2024-12-01T20:05:01.234Z")
    expect(tracking.utm).toEqual({
      source: "facebook",
      medium: "paid_social",
      campaign: "ch_omega_winter",
      content: "carousel_b"
    })
    expect(partner).toBe("meta")
    expect(consent).toEqual({
      adUserData: "granted",
      adPersonalization: "granted",
      source: "shopify:email_marketing_consent"
    })
  })

  it("reads a consent note attribute, sub ids and utm from note attributes", () => {
    const { tracking, consent } = snapshotOf("orders-paid-cad.json", "orders/paid", SOURCES.shopCa)
    expect(consent).toEqual({ adUserData: "granted", adPersonalization: "denied", source: "attribute:consent" })
    expect(tracking.clickIds).toEqual({ awc: "17234_1733343712_8f2a1c9d4e5b6a7f8091a2b3c4d5e6f7", sub1: "cashback-ca" })
    expect(tracking.utm).toEqual({ source: "awin", medium: "affiliate" })
  })

  it("prices a JPY presentment order in yen and leaves a local phone as given", () => {
    const snapshot = snapshotOf("orders-paid-no-address.json", "orders/paid")
    expect(snapshot.value).toEqual({ amountMinor: 5000, currency: "JPY" })
    expect(snapshot.shopValue).toEqual({ amountMinor: 3120, currency: "EUR" })
    expect(snapshot.customer.phone).toBe("090-1234-5678")
    expect(snapshot.customer.country).toBeUndefined()
    expect(snapshot.tracking.gbraid).toBe("0AAAAADwPq9ZxYzT8fLkGmXq1Ab")
    expect(snapshot.products).toEqual(["8123456789017"])
  })
})

describe("Shopify facts and special cases", () => {
  it("pays at processed_at and counts a snapshot's refunds by refund id", () => {
    const outcome = observed(normalizeFixture("shopify/orders-updated-partially-refunded.json", shop, "orders/updated"))
    expect(outcome.paidAt).toBe("2024-11-29T09:15:03.000Z")
    expect(outcome.refunds).toEqual([
      { id: "912345678901", amountMinor: 2245, currency: "EUR", at: "2024-12-05T08:12:30.000Z" }
    ])
    expect(outcome.fullyRefunded).toBe(false)
  })

  it("records a cancellation with Shopify's reason", () => {
    const outcome = observed(normalizeFixture("shopify/orders-cancelled.json", shop, "orders/cancelled"))
    expect(outcome.cancellation).toEqual({ at: "2024-12-03T08:00:01.000Z", reason: "customer" })
    expect(outcome.paidAt).toBeUndefined()
  })

  it("ignores a test order and marks its snapshot", () => {
    const outcome = observed(normalizeFixture("shopify/orders-paid-test.json", shop, "orders/paid"))
    expect(outcome.ignore).toEqual({ reason: "test_order", detail: "platform test flag (shopify test: true)" })
    expect(outcome.snapshot?.test).toBe(true)
    expect(outcome.snapshot?.tracking.wbraid).toBe("CkQKCAjw2b-0BhAGEiQAOx8bq2mV0cT1Qb3YxZRkL8jW")
  })

  it("ignores a test order by the configured email rule", () => {
    const src = { ...shop, testOrders: { emails: ["*@example.de"] } }
    const outcome = observed(
      normalizeWebhook(webhook(src.id, fixtureText("shopify/orders-paid.json"), "orders/paid"), context(src))
    )
    expect(outcome.ignore).toEqual({
      reason: "test_order",
      detail: 'testOrders.emails "*@example.de" matched the email'
    })
    expect(outcome.snapshot?.test).toBe(true)
  })

  it("ignores a re-shipment", () => {
    const outcome = observed(normalizeFixture("shopify/orders-paid-reship.json", shop, "orders/paid"))
    expect(outcome.ignore?.reason).toBe("reshipment")
    expect(outcome.snapshot?.value.amountMinor).toBe(0)
  })

  it("takes the refund of refunds/create from its successful refund transactions", () => {
    const partial = observed(normalizeFixture("shopify/refunds-create-partial.json", shop, "refunds/create"))
    expect(partial).toMatchObject({ orderKey: "shop-de:5678901234567", fullyRefunded: false })
    expect(partial.snapshot).toBeUndefined()
    expect(partial.refunds).toEqual([
      { id: "912345678901", amountMinor: 2245, currency: "EUR", at: "2024-12-05T08:12:30.000Z" }
    ])
    const full = observed(normalizeFixture("shopify/refunds-create-full.json", shop, "refunds/create"))
    expect(full.orderKey).toBe("shop-de:820982911946154508")
    expect(full.refunds).toEqual([
      { id: "912345678902", amountMinor: 6170, currency: "CHF", at: "2024-12-09T10:03:10.000Z" }
    ])
  })

  it("skips failed refund transactions", () => {
    const json = fixtureJson("shopify/refunds-create-partial.json")
    const txns = json.transactions as Array<Record<string, unknown>>
    json.transactions = [
      { ...txns[0], status: "failure" },
      { ...txns[0], id: 2, kind: "refund", amount: "5.00" }
    ]
    const outcome = observed(normalizeWebhook(webhook(shop.id, JSON.stringify(json), "refunds/create"), context(shop)))
    expect(outcome.refunds.map((r) => r.amountMinor)).toEqual([500])
  })

  it("treats orders/delete as a cancellation", () => {
    const outcome = observed(
      normalizeWebhook(webhook(shop.id, '{"id": 820982911946154508}', "orders/delete"), context(shop))
    )
    expect(outcome).toMatchObject({ orderKey: "shop-de:820982911946154508", cancellation: { reason: "deleted" } })
  })

  it("recognises an order or a refund without a topic header", () => {
    expect(observed(normalizeFixture("shopify/orders-paid.json", shop)).snapshot?.status).toBe("paid")
    expect(observed(normalizeFixture("shopify/refunds-create-partial.json", shop)).refunds).toHaveLength(1)
  })

  it.each([
    ["customers-update.json", "customers/update"],
    ["orders-paid.json", "orders/edited"],
    ["orders-paid.json", "checkouts/create"]
  ])("skips %s as %s", (path, topic) => {
    expect(normalizeFixture(`shopify/${path}`, shop, topic)).toMatchObject({ _tag: "Skipped", topic })
  })
})
