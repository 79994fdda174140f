import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, fixtureJson, normalizeFixture, observed, SOURCES, webhook } from "../support.js"

const paddle = SOURCES.paddle
const outcomeOf = (path: string, src = paddle) => observed(normalizeFixture(`paddle/${path}`, src))
const mutated = (path: string, change: (event: Record<string, unknown>, data: Record<string, unknown>) => void) => {
  const json = fixtureJson(`paddle/${path}`)
  change(json, json.data as Record<string, unknown>)
  return normalizeWebhook(webhook(paddle.id, JSON.stringify(json)), context(paddle))
}

describe("Paddle transaction.completed", () => {
  it("is a paid order worth grand_total, with its line items and custom_data tracking", () => {
    const outcome = outcomeOf("transaction-completed.json")
    expect(outcome).toMatchObject({
      orderKey: "paddle:txn_01jdv3n5q7s9u1w3y5a7c9e1g3",
      paidAt: "2024-12-06T09:42:17.902Z",
      keyFrom: "payload"
    })
    expect(outcome.snapshot).toMatchObject({
      platform: "paddle",
      company: "focus",
      market: "DE",
      status: "paid",
      orderNumber: "1407-10021",
      value: { amountMinor: 9401, currency: "EUR" },
      placedAt: "2024-12-06T09:41:02.481Z",
      updatedAt: "2024-12-06T09:42:17.902Z",
      partner: "google",
      customer: { externalId: "ctm_01jdv3k8h2q1w9e5r7t0y6u4i3" },
      products: ["FOCUS-PRO-LT", "FOCUS-SEAT"],
      tracking: {
        utm: { source: "google", medium: "cpc", campaign: "de_focus_brand" },
        landingUrl: expect.stringMatching(/^https:\/\/acme-focus\.io\/de\//)
      }
    })
    expect(outcome.snapshot?.lineItems).toEqual([
      {
        productId: "pro_01jdv29x7y5w3v1t9s7r5q3p1n",
        variantId: "pri_01jdv2a4b6c8d0e2f4g6h8j0k2",
        sku: "FOCUS-PRO-LT",
        name: "Focus Pro (lifetime)",
        quantity: 1,
        priceMinor: 4900,
        product: "FOCUS-PRO-LT"
      },
      {
        productId: "pro_01jdv2b1c3d5f7h9k1m3p5r7t9",
        variantId: "pri_01jdv2c8e0g2j4l6n8q0s2u4w6",
        sku: "FOCUS-SEAT",
        name: "Extra seat",
        quantity: 2,
        priceMinor: 1500,
        product: "FOCUS-SEAT"
      }
    ])
  })

  it("lands on the shop order named by custom_data.order_id for a source with ordersOf", () => {
    const outcome = outcomeOf("transaction-completed-shop-order.json", SOURCES.paddleShop)
    expect(outcome).toMatchObject({
      orderKey: "shop-de:5678901234567",
      billingKey: "paddle-shop:txn_01jdv4f4h6k8m0p2r4t6v8x0z2",
      sourceId: "paddle-shop"
    })
    expect(outcome.snapshot).toMatchObject({
      platformOrderId: "5678901234567",
      company: "acme",
      market: "DE",
      value: { amountMinor: 6326, currency: "EUR" }
    })
  })

  it("treats transaction.paid like completed and skips other events", () => {
    const paid = mutated("transaction-completed.json", (e) => {
      e.event_type = "transaction.paid"
    })
    expect(observed(paid).paidAt).toBe("2024-12-06T09:42:17.902Z")
    expect(normalizeFixture("paddle/subscription-created.json", paddle)).toMatchObject({
      _tag: "Skipped",
      reason: "event subscription.created says nothing about an order"
    })
  })
})

describe("Paddle adjustments", () => {
  it("an approved partial refund is a refund of its transaction", () => {
    const outcome = outcomeOf("adjustment-created.json")
    expect(outcome).toMatchObject({ orderKey: "paddle:txn_01jdv3n5q7s9u1w3y5a7c9e1g3", fullyRefunded: false })
    expect(outcome.refunds).toEqual([
      { id: "adj_01jdv5h6k8m0p2r4t6v8x0z2c4", amountMinor: 1785, currency: "EUR", at: "2024-12-09T14:20:04.002Z" }
    ])
    expect(outcome.snapshot).toBeUndefined()
  })

  it("a refund waiting for approval is no refund yet; approved and full, it is", () => {
    expect(normalizeFixture("paddle/adjustment-created-pending.json", paddle)).toMatchObject({
      _tag: "Skipped",
      reason: "adjustment pending_approval is not a refund yet"
    })
    const approved = outcomeOf("adjustment-updated.json")
    expect(approved.fullyRefunded).toBe(true)
    expect(approved.refunds).toEqual([
      { id: "adj_01jdv6k8m0p2r4t6v8x0z2b4d6", amountMinor: 7616, currency: "EUR", at: "2024-12-12T16:41:09.220Z" }
    ])
  })

  it.each([
    ["credit", "Skipped"],
    ["chargeback", "Observed"],
    ["chargeback_warning", "Skipped"]
  ])("action %s -> %s", (action, tag) => {
    const outcome = mutated("adjustment-created.json", (_, d) => {
      d.action = action
    })
    expect(outcome._tag).toBe(tag)
  })

  it("keys an adjustment of a billing source by its transaction, to be resolved through the alias", () => {
    const outcome = observed(
      normalizeWebhook(
        webhook("paddle-shop", JSON.stringify(fixtureJson("paddle/adjustment-created.json"))),
        context(SOURCES.paddleShop)
      )
    )
    expect(outcome).toMatchObject({ orderKey: "paddle-shop:txn_01jdv3n5q7s9u1w3y5a7c9e1g3", keyFrom: "billing-alias" })
  })
})

describe("Paddle payloads that cannot be normalized", () => {
  it.each<[string, string, (event: Record<string, unknown>, data: Record<string, unknown>) => void, string]>([
    [
      "transaction-completed.json",
      "a grand total with decimals",
      (_, d) => {
        ;(d.details as Record<string, Record<string, unknown>>).totals!.grand_total = "94.01"
      },
      "data.details.totals.grand_total: not an amount in minor units"
    ],
    [
      "transaction-completed.json",
      "a line subtotal as a number",
      (_, d) => {
        ;(d.details as Record<string, Array<Record<string, Record<string, unknown>>>>).line_items![1]!
          .unit_totals!.subtotal = 1500
      },
      "data.details.line_items[1].unit_totals.subtotal: not an amount in minor units"
    ],
    [
      "transaction-completed.json",
      "no currency",
      (_, d) => {
        delete d.currency_code
      },
      "data.currency_code: is missing"
    ],
    [
      "adjustment-created.json",
      "an adjustment total that is not minor units",
      (_, d) => {
        ;(d.totals as Record<string, unknown>).total = "17.85"
      },
      "data.totals.total: not an amount in minor units"
    ],
    [
      "transaction-completed.json",
      "no occurred_at",
      (e) => {
        e.occurred_at = "soon"
      },
      "occurred_at: not an ISO 8601 time with offset"
    ]
  ])("%s: %s", (path, _, change, reason) => {
    expect(mutated(path, change)).toMatchObject({ _tag: "Failed", reason })
  })
})
