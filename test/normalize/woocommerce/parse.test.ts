import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, fixtureJson, normalizeFixture, observed, SOURCES, webhook } from "../support.js"

const woo = SOURCES.wooPl
const outcomeOf = (path: string, topic: string) => observed(normalizeFixture(`woocommerce/${path}`, woo, topic))
const mutated = (change: (o: Record<string, unknown>) => void, path = "order-updated-processing.json") => {
  const json = fixtureJson(`woocommerce/${path}`)
  change(json)
  return normalizeWebhook(webhook(woo.id, JSON.stringify(json), "order.updated"), context(woo))
}

describe("WooCommerce order status: given the status, then the facts", () => {
  it.each<
    [
      string,
      string,
      string,
      { paidAt?: string; cancelled: boolean; fullyRefunded: boolean; refunded: number; status: string }
    ]
  >([
    [
      "order-created.json",
      "order.created",
      "pending (awaiting Przelewy24)",
      { cancelled: false, fullyRefunded: false, refunded: 0, status: "pending" }
    ],
    [
      "order-updated-processing.json",
      "order.updated",
      "processing, paid at date_paid_gmt",
      { paidAt: "2024-11-29T10:21:39.000Z", cancelled: false, fullyRefunded: false, refunded: 0, status: "paid" }
    ],
    [
      "order-created-processing.json",
      "order.created",
      "processing at creation (Klarna)",
      { paidAt: "2024-12-02T12:07:24.000Z", cancelled: false, fullyRefunded: false, refunded: 0, status: "paid" }
    ],
    [
      "order-updated-partial-refund.json",
      "order.updated",
      "completed with a partial refund",
      {
        paidAt: "2024-11-25T18:52:31.000Z",
        cancelled: false,
        fullyRefunded: false,
        refunded: 17856,
        status: "partially_refunded"
      }
    ],
    [
      "order-updated-refunded.json",
      "order.updated",
      "refunded",
      { paidAt: "2024-11-29T10:21:39.000Z", cancelled: false, fullyRefunded: true, refunded: 20797, status: "refunded" }
    ],
    [
      "order-updated-cancelled.json",
      "order.updated",
      "cancelled before payment",
      { cancelled: true, fullyRefunded: false, refunded: 0, status: "cancelled" }
    ]
  ])("%s (%s): %s", (path, topic, _, expected) => {
    const outcome = outcomeOf(path, topic)
    expect(outcome.paidAt).toBe(expected.paidAt)
    expect(outcome.cancellation !== undefined).toBe(expected.cancelled)
    expect(outcome.fullyRefunded).toBe(expected.fullyRefunded)
    expect(outcome.snapshot?.refundedMinor).toBe(expected.refunded)
    expect(outcome.snapshot?.status).toBe(expected.status)
  })

  it.each([
    ["on-hold", false],
    ["failed", false],
    ["completed", true],
    ["trash", false]
  ])("status %s: paid %s", (status, paid) => {
    const outcome = observed(
      mutated((o) => {
        o.status = status
        o.date_paid_gmt = null
      })
    )
    expect(outcome.paidAt !== undefined).toBe(paid)
    expect(outcome.cancellation !== undefined).toBe(status === "trash")
  })
})

describe("WooCommerce details", () => {
  it("reads the built-in order attribution (gclid from the session entry)", () => {
    const snapshot = outcomeOf("order-created.json", "order.created").snapshot
    expect(snapshot).toMatchObject({
      orderKey: "woo-pl:4521",
      orderNumber: "4521",
      market: "PL",
      partner: "google",
      value: { amountMinor: 20797, currency: "PLN" },
      clientIp: "203.0.113.88",
      updatedAt: "2024-11-29T10:20:07.000Z",
      placedAt: "2024-11-29T10:20:05.000Z",
      customer: {
        email: "k.nowak@example.pl",
        phone: "+48 512 345 678",
        firstName: "Katarzyna",
        lastName: "Nowak",
        city: "Warszawa",
        zip: "00-514",
        region: "MZ",
        country: "PL"
      }
    })
    expect(snapshot?.customer.externalId).toBeUndefined() // guest checkout, customer_id 0
    expect(snapshot?.tracking).toEqual({
      gclid: "EAIaIQobChMI8tLq3Ym6iQMVd5aDBx0rPi3KEAAYASAAEgKx8fD_BwE",
      landingUrl:
        "https://acme-sklep.pl/produkt/witamina-d3/?gclid=EAIaIQobChMI8tLq3Ym6iQMVd5aDBx0rPi3KEAAYASAAEgKx8fD_BwE&utm_source=google&utm_medium=cpc&utm_campaign=pl_pmax_witaminy",
      referrer: "https://www.google.com/",
      clickIds: {},
      utm: { source: "google", medium: "cpc", campaign: "pl_pmax_witaminy" }
    })
    expect(snapshot?.lineItems).toEqual([
      {
        productId: "87",
        sku: "VIT-D3-2000",
        name: "Witamina D3 2000 IU",
        quantity: 2,
        priceMinor: 3699,
        product: "vitamins"
      },
      {
        productId: "91",
        variantId: "95",
        sku: "KOL-300-MANGO",
        name: "Kolagen morski - 300 g",
        quantity: 1,
        priceMinor: 11900,
        product: "KOL-300-MANGO"
      }
    ])
  })

  it("reads tracking-plugin keys next to the attribution, and the shipping-less billing address", () => {
    const snapshot = outcomeOf("order-created-processing.json", "order.created").snapshot
    expect(snapshot?.tracking.gclid).toMatch(/^Cj0KCQiA3sq6/)
    expect(snapshot?.tracking.fbc).toBe("fb.1.1733140012345.IwAR3xYzKlM9nOpQrStUvWx")
    expect(snapshot?.tracking.fbp).toBe("fb.2.1733139998765.1029384756")
    expect(snapshot?.tracking.clickIds).toEqual({ awc: "8765_1733140100_0a1b2c3d4e5f60718293a4b5c6d7e8f9" })
    expect(snapshot?.tracking.utm).toEqual({ source: "prisjakt.nu", medium: "referral", content: "/" })
    expect(snapshot?.partner).toBe("awin")
    expect(snapshot?.market).toBe("SE")
    expect(snapshot?.customer).toMatchObject({
      phone: "070-123 45 67",
      city: "Stockholm",
      country: "SE",
      externalId: "112"
    })
    expect(snapshot?.value).toEqual({ amountMinor: 44700, currency: "SEK" })
  })

  it("reads fbclid from the session entry and the coupon from coupon_lines", () => {
    const snapshot = outcomeOf("order-updated-partial-refund.json", "order.updated").snapshot
    expect(snapshot?.tracking.fbclid).toBe("IwY2xjawGxYzRleHRuA2FlbQIxMAABHQ7sKx9lMnO_aem_Zx8yW7vU6tS5rQ4pO3nM2l")
    expect(snapshot?.tracking.fbclidCapturedAt).toBeUndefined()
    expect(snapshot?.tracking.coupon).toBe("velkommen10")
    expect(snapshot?.partner).toBe("meta")
    expect(snapshot?.customer).toMatchObject({ city: "København N", country: "DK" })
  })

  it("lists refunds by id with positive amounts", () => {
    expect(outcomeOf("order-updated-partial-refund.json", "order.updated").refunds).toEqual([
      { id: "4601", amountMinor: 17856, currency: "DKK" }
    ])
    expect(outcomeOf("order-updated-refunded.json", "order.updated").refunds).toEqual([
      { id: "4598", amountMinor: 20797, currency: "PLN" }
    ])
  })

  it("rounds WooCommerce's float line prices to the cent", () => {
    const snapshot = outcomeOf("order-updated-cancelled.json", "order.updated").snapshot
    expect(snapshot?.lineItems[0]?.priceMinor).toBe(840)
  })

  it("falls back to the attribution user agent", () => {
    const outcome = observed(
      mutated((o) => {
        o.customer_user_agent = ""
      })
    )
    expect(outcome.snapshot?.userAgent).toMatch(/Pixel 8/)
  })

  it("records order.deleted as a cancellation of that order", () => {
    expect(outcomeOf("order-deleted.json", "order.deleted")).toMatchObject({
      orderKey: "woo-pl:4525",
      cancellation: { reason: "deleted" }
    })
  })

  it.each(["coupon.created", "customer.updated", "product.updated", "action.woocommerce_order_status_completed"])(
    "skips %s",
    (topic) => {
      expect(normalizeFixture("woocommerce/order-created.json", woo, topic)).toMatchObject({ _tag: "Skipped", topic })
    }
  )
})

describe("WooCommerce payloads that cannot be normalized", () => {
  it.each<[string, (o: Record<string, unknown>) => void, string]>([
    [
      "a total that is not a decimal",
      (o) => {
        o.total = "207,97"
      },
      "total: not a decimal amount"
    ],
    [
      "a refund total that is not a decimal",
      (o) => {
        o.refunds = [{ id: 1, total: "-" }]
      },
      "refunds[0].total: not a decimal amount"
    ],
    [
      "a line price that is not a number",
      (o) => {
        ;(o.line_items as Array<Record<string, unknown>>)[0]!.price = "n/a"
      },
      "line_items[0].price: not a decimal amount"
    ],
    [
      "no creation time",
      (o) => {
        o.date_created_gmt = null
      },
      "date_created_gmt: is missing or not a time"
    ],
    ["no status", (o) => delete o.status, "status: is missing"],
    [
      "a meta_data entry without key",
      (o) => {
        o.meta_data = [{ id: 1, value: "x" }]
      },
      "meta_data[0].key: is missing"
    ]
  ])("%s", (_, change, reason) => {
    expect(mutated(change)).toMatchObject({ _tag: "Failed", reason })
  })
})
