// Presentment vs shop currency where the platform says it (Paddle's payout_totals), and the source's
// configured `currency` where the payload does not (a WooCommerce order without currency, a generic
// order's shopTotal without shopCurrency).
import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../src/normalize/normalize.js"
import { context, fixtureJson, normalizeFixture, observed, SOURCES, source, webhook } from "./support.js"

describe("Paddle: a USD customer, payouts in EUR", () => {
  it("values the order in USD, the shop value from payout_totals in EUR, with cjevent and utm_term", () => {
    const order = observed(normalizeFixture("paddle/transaction-completed-usd-eur-payout.json", SOURCES.paddle))
      .snapshot!
    expect(order).toMatchObject({
      value: { amountMinor: 8300, currency: "USD" },
      shopValue: { amountMinor: 7884, currency: "EUR" },
      tracking: {
        clickIds: { cjevent: "a1b2c3d4e5f611efbe2c00a10a18ba7e" },
        utm: { source: "cj", medium: "affiliate", campaign: "us_focus_launch", term: "focus supplement" }
      }
    })
    expect(order.lineItems[0]?.priceMinor).toBe(8300)
  })

  it("has no shop value when the payout currency is the customer's", () => {
    expect(observed(normalizeFixture("paddle/transaction-completed.json", SOURCES.paddle)).snapshot?.shopValue).toBe(
      undefined
    )
  })
})

describe("the source's currency fills in", () => {
  const wooEur = source({ id: "woo-de", kind: "woocommerce", currency: "EUR" })

  it("for a WooCommerce order without a currency", () => {
    const json = fixtureJson("woocommerce/order-created.json")
    delete json.currency
    const outcome = normalizeWebhook(webhook("woo-de", JSON.stringify(json), "order.created"), context(wooEur))
    expect(observed(outcome).snapshot?.value).toEqual({ amountMinor: 20797, currency: "EUR" })
  })

  it("and without one on the source the order fails with the reason", () => {
    const json = fixtureJson("woocommerce/order-created.json")
    json.currency = ""
    const outcome = normalizeWebhook(webhook("woo-pl", JSON.stringify(json), "order.created"), context(SOURCES.wooPl))
    expect(outcome).toMatchObject({ _tag: "Failed", reason: "currency: missing (and the source has no currency)" })
  })

  it("never replaces a currency the payload states", () => {
    const outcome = normalizeFixture("woocommerce/order-created.json", wooEur, "order.created")
    expect(observed(outcome).snapshot?.value.currency).toBe("PLN")
  })

  it("for a generic order's shopTotal without shopCurrency", () => {
    const web = source({ id: "web-ch", kind: "generic", currency: "EUR" })
    const body = {
      id: "CH-1",
      topic: "order.paid",
      status: "paid",
      currency: "CHF",
      total: "99.00",
      shopTotal: "104.20",
      placedAt: "2024-12-01T10:00:00Z",
      items: []
    }
    const order = observed(normalizeWebhook(webhook("web-ch", JSON.stringify(body)), context(web))).snapshot
    expect(order?.shopValue).toEqual({ amountMinor: 10420, currency: "EUR" })
  })
})
