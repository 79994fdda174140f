import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, fixtureJson, SOURCES, webhook } from "../support.js"

const shop = SOURCES.shopDe
const mutated = (path: string, change: (o: Record<string, unknown>) => void, topic = "orders/paid") => {
  const json = fixtureJson(`shopify/${path}`)
  change(json)
  return normalizeWebhook(webhook(shop.id, JSON.stringify(json), topic), context(shop))
}

describe("Shopify payloads that cannot be normalized", () => {
  const item = (o: Record<string, unknown>, i: number) => (o.line_items as Array<Record<string, unknown>>)[i] ?? {}
  it.each<[string, (o: Record<string, unknown>) => void, string, string | undefined]>([
    [
      "a line price that is not a decimal",
      (o) => {
        item(o, 1).price_set = null
        item(o, 1).price = "24,95"
      },
      "line_items[1].price: not a decimal amount",
      "line_items[1].price"
    ],
    [
      "a presentment amount that is not a decimal",
      (o) => {
        ;(o.total_price_set as Record<string, Record<string, unknown>>).presentment_money!.amount = "n/a"
      },
      "total_price_set.presentment_money.amount: not a decimal amount",
      "total_price_set.presentment_money.amount"
    ],
    ["no id", (o) => delete o.id, "id: is missing", "id"],
    ["no line items", (o) => delete o.line_items, "line_items: is missing", "line_items"],
    [
      "a quantity that is not an integer",
      (o) => {
        item(o, 0).quantity = 1.5
      },
      "line_items[0].quantity: not an integer",
      "line_items[0].quantity"
    ],
    [
      "a currency that is not a code",
      (o) => {
        o.currency = "Euro"
      },
      "currency: not an ISO 4217 currency code",
      "currency"
    ],
    [
      "created_at without offset",
      (o) => {
        o.created_at = "2024-11-29T10:15:03"
      },
      "created_at: not an ISO 8601 time with offset",
      "created_at"
    ],
    [
      "a string where an object belongs",
      (o) => {
        o.customer = "Lena"
      },
      'customer: expected an object, got "Lena"',
      "customer"
    ],
    [
      "an object where an array belongs",
      (o) => {
        o.line_items = {}
      },
      "line_items: expected an array, got {}",
      "line_items"
    ]
  ])("%s", (_, change, reason, path) => {
    expect(mutated("orders-paid.json", change)).toEqual({ _tag: "Failed", reason, path, parserVersion: 1 })
  })

  it("names a refund transaction's path", () => {
    const json = fixtureJson("shopify/refunds-create-partial.json")
    ;(json.transactions as Array<Record<string, unknown>>)[0]!.amount = "zwei"
    expect(normalizeWebhook(webhook(shop.id, JSON.stringify(json), "refunds/create"), context(shop))).toMatchObject({
      _tag: "Failed",
      reason: "transactions[0].amount: not a decimal amount"
    })
  })

  it("refuses a refund without its order id", () => {
    const json = fixtureJson("shopify/refunds-create-partial.json")
    delete json.order_id
    expect(normalizeWebhook(webhook(shop.id, JSON.stringify(json), "refunds/create"), context(shop))).toMatchObject({
      _tag: "Failed",
      reason: "order_id: is missing",
      path: "order_id"
    })
  })
})
