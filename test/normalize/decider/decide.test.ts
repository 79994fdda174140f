import { describe, expect, it } from "vitest"
import type { AppEvent } from "../../../src/events/Events.js"
import { decide } from "../../../src/normalize/normalize.js"
import { given, run, shopify } from "./support.js"

const KEY = "shop-de:5678901234567"
const PAID_AT = "2024-11-29T09:15:03.000Z"
const tags = (events: ReadonlyArray<AppEvent>) => events.map((e) => e._tag)

describe("decide: Shopify #1042, given/when/then", () => {
  it("given nothing, when orders/create, then the pending order is normalized", () => {
    const events = given().when(shopify.created(), "wh-a")
    expect(tags(events)).toEqual(["OrderNormalized"])
    expect(events[0]).toMatchObject({
      _tag: "OrderNormalized",
      webhookId: "wh-a",
      parserVersion: 1,
      order: { orderKey: KEY, status: "pending", refundedMinor: 0 }
    })
    expect((events[0] as { order: { paidAt?: string } }).order.paidAt).toBeUndefined()
  })

  it("given the created order, when the same webhook again, then nothing", () => {
    expect(given(shopify.created()).when(shopify.created())).toEqual([])
  })

  it("given the created order, when orders/paid, then only the payment (details unchanged)", () => {
    expect(given(shopify.created()).when(shopify.paid(), "wh-p")).toEqual([
      { _tag: "PaymentUpdated", webhookId: "wh-p", orderKey: KEY, from: "pending", to: "paid", paidAt: PAID_AT }
    ])
  })

  it("given nothing, when orders/paid first, then the order and its payment", () => {
    const events = given().when(shopify.paid())
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated"])
    expect(events[0]).toMatchObject({ order: { status: "paid", paidAt: PAID_AT } })
    expect(events[1]).toMatchObject({ from: "pending", to: "paid" })
  })

  it("given the paid order, when the older orders/create arrives late, then nothing", () => {
    expect(given(shopify.paid()).when(shopify.created())).toEqual([])
  })

  it("given the paid order, when paid again, then nothing: dispatch happens once", () => {
    expect(given(shopify.created(), shopify.paid()).when(shopify.paid())).toEqual([])
  })

  it("given the paid order, when orders/updated with a new tag, then a new snapshot, status kept", () => {
    const events = given(shopify.created(), shopify.paid()).when(shopify.updated())
    expect(tags(events)).toEqual(["OrderNormalized"])
    expect(events[0]).toMatchObject({
      order: { tags: ["repeat-customer"], status: "paid", paidAt: PAID_AT, updatedAt: "2024-12-02T13:30:12.000Z" }
    })
  })

  it("given the updated order, when an older orders/paid arrives, then nothing (stale snapshot)", () => {
    expect(given(shopify.created(), shopify.updated()).when(shopify.paid())).toEqual([])
  })

  it("given the paid order, when refunds/create, then the cumulative refund", () => {
    expect(given(shopify.created(), shopify.paid(), shopify.updated()).when(shopify.refundPartial(), "wh-r")).toEqual([
      {
        _tag: "OrderRefunded",
        webhookId: "wh-r",
        orderKey: KEY,
        refundedMinor: 2245,
        currency: "EUR",
        full: false,
        refundId: "912345678901",
        amountMinor: 2245,
        refundedAt: "2024-12-05T08:12:30.000Z"
      }
    ])
  })

  it("given the refund, when the orders/updated that lists it, then nothing new", () => {
    expect(given(shopify.paid(), shopify.updated(), shopify.refundPartial()).when(shopify.updatedRefunded())).toEqual(
      []
    )
  })

  it("given no refunds/create, when the orders/updated that lists the refund, then the refund once", () => {
    const events = given(shopify.paid(), shopify.updated()).when(shopify.updatedRefunded())
    expect(tags(events)).toEqual(["OrderRefunded"])
    expect(events[0]).toMatchObject({ refundedMinor: 2245, full: false, refundId: "912345678901" })
  })

  it("given only the created order, when the refund arrives before the payment, then the refund; the payment later changes only paidAt", () => {
    const { state } = run([shopify.created(), shopify.refundPartial()])
    expect(state.status).toBe("partially_refunded")
    expect(decide(state, shopify.paid(), "wh-late")).toEqual([
      {
        _tag: "PaymentUpdated",
        webhookId: "wh-late",
        orderKey: KEY,
        from: "partially_refunded",
        to: "partially_refunded",
        paidAt: PAID_AT
      }
    ])
  })

  it("given a paid CHF order, when the full refund, then refunded in full", () => {
    const events = given(shopify.presentment()).when(shopify.refundFull())
    expect(events).toEqual([
      expect.objectContaining({
        _tag: "OrderRefunded",
        refundedMinor: 6170,
        currency: "CHF",
        full: true,
        refundId: "912345678902",
        amountMinor: 6170
      })
    ])
  })

  it("given nothing, when a refund for an unknown order, then the refund is kept until the order arrives", () => {
    const { state } = run([shopify.refundFull()])
    expect(state).toMatchObject({
      order: undefined,
      refundedMinor: 6170,
      status: "partially_refunded",
      fullyRefunded: false
    })
    const events = decide(state, shopify.presentment(), "wh-o")
    // The order's value shows the refund was complete.
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated", "OrderRefunded"])
    expect(events[0]).toMatchObject({ order: { status: "refunded", refundedMinor: 6170 } })
    expect(events[2]).toMatchObject({ refundedMinor: 6170, full: true })
    expect(events[2]).not.toHaveProperty("refundId")
  })

  it("given nothing, when orders/cancelled of an unpaid order, then the order and its cancellation", () => {
    const events = given().when(shopify.cancelled(), "wh-c")
    expect(tags(events)).toEqual(["OrderNormalized", "OrderCancelled"])
    expect(events[1]).toEqual({
      _tag: "OrderCancelled",
      webhookId: "wh-c",
      orderKey: "shop-de:5678901234568",
      reason: "customer",
      cancelledAt: "2024-12-03T08:00:01.000Z"
    })
  })

  it("given nothing, when a test order, then it is recorded and ignored, once", () => {
    const { state, events } = run([shopify.test(), shopify.test()])
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated", "OrderIgnored"])
    expect(events[2]).toEqual({
      _tag: "OrderIgnored",
      webhookId: "wh-1",
      orderKey: "shop-de:5678901234570",
      reason: "test_order",
      detail: "platform test flag (shopify test: true)"
    })
    expect(state.ignored?.reason).toBe("test_order")
  })

  it("given nothing, when a re-shipment, then it is ignored as a reshipment", () => {
    const events = given().when(shopify.reship())
    expect(events.at(-1)).toMatchObject({ _tag: "OrderIgnored", reason: "reshipment" })
  })

  it.each([
    [{ _tag: "Skipped", reason: "topic customers/update says nothing about an order", parserVersion: 1 } as const],
    [{ _tag: "Failed", reason: "total: not a decimal amount", path: "total", parserVersion: 1 } as const]
  ])("given anything, when %j, then nothing", (outcome) => {
    expect(given(shopify.paid()).when(outcome)).toEqual([])
  })
})
