import { describe, expect, it } from "vitest"
import type { AppEvent } from "../../../src/events/Events.js"
import { decide, foldOrder, initialOrderState, withOrderKey } from "../../../src/normalize/normalize.js"
import type { Observed } from "../../../src/normalize/outcome.js"
import { observed } from "../support.js"
import { fx, given, run, shopify } from "./support.js"

const KEY = "shop-de:5678901234567"
const tags = (events: ReadonlyArray<AppEvent>) => events.map((e) => e._tag)

describe("decide: billing payments for shop orders", () => {
  const paddleForShop = () => fx("paddle/transaction-completed-shop-order.json", "paddleShop")

  it("given the pending shop order, when Paddle's payment names it, then paid via the billing source, shop details kept", () => {
    expect(given(shopify.created()).when(paddleForShop(), "wh-pd")).toEqual([
      {
        _tag: "PaymentUpdated",
        webhookId: "wh-pd",
        orderKey: KEY,
        from: "pending",
        to: "paid",
        paidAt: "2024-11-30T08:01:40.554Z",
        viaSource: "paddle-shop"
      }
    ])
  })

  it("given Paddle's payment first, when the shop's order arrives, then the shop's details fill in and it stays paid", () => {
    const { state } = run([paddleForShop()])
    expect(state.order).toMatchObject({ sourceId: "paddle-shop", platform: "paddle", status: "paid" })
    const events = decide(state, shopify.created(), "wh-shop")
    expect(tags(events)).toEqual(["OrderNormalized"])
    expect(events[0]).toMatchObject({
      order: {
        sourceId: "shop-de",
        platform: "shopify",
        status: "paid",
        paidAt: "2024-11-30T08:01:40.554Z",
        lineItems: [{ sku: "VIT-D3-1000" }, { sku: "OMG-3-60" }]
      }
    })
  })

  it("given the shop's order, when a billing snapshot arrives later, then it never replaces the shop's details", () => {
    const { state } = run([shopify.paid(), paddleForShop()])
    expect(state.order?.sourceId).toBe("shop-de")
  })

  it("given a Stripe payment for a WooCommerce order, when its refund arrives under the billing key, then resolved through the alias it lands on the shop order", () => {
    const session = observed(fx("stripe/checkout-session-completed-shop-order.json", "stripeUk"))
    const refund = observed(fx("stripe/charge-refunded-partial.json", "stripeUk"))
    expect(refund.keyFrom).toBe("billing-alias")
    const resolved = withOrderKey(refund, session.orderKey)
    const events = given(session).when(resolved, "wh-rf")
    expect(events).toEqual([
      expect.objectContaining({
        _tag: "OrderRefunded",
        orderKey: "woo-uk:4526",
        refundedMinor: 1500,
        currency: "GBP",
        viaSource: "stripe-uk",
        refundId: "ch_3QRsTuAbCdEf0123xYz45678"
      })
    ])
  })

  it("takes the larger of two sources' views of the same refund, never their sum", () => {
    const wooRefunded = observed(fx("woocommerce/order-updated-partial-refund.json", "wooPl", "order.updated"))
    const stripeRefund: Observed = {
      _tag: "Observed",
      orderKey: wooRefunded.orderKey,
      keyFrom: "payload",
      sourceId: "stripe-eu",
      topic: "charge.refunded",
      parserVersion: 1,
      refunds: [{ id: "ch_1", amountMinor: 17856, currency: "DKK" }],
      fullyRefunded: false
    }
    const { state } = run([wooRefunded, stripeRefund])
    expect(state.refundedMinor).toBe(17856)
    expect(Object.keys(state.refunds).sort()).toEqual(["stripe-eu|ch_1", "woo-pl|4601"])
  })
})

describe("decide: other platforms' lifecycles", () => {
  it("WooCommerce: created, processing, refunded, deleted", () => {
    const { events, state } = run([
      fx("woocommerce/order-created.json", "wooPl", "order.created"),
      fx("woocommerce/order-updated-processing.json", "wooPl", "order.updated"),
      fx("woocommerce/order-updated-processing.json", "wooPl", "order.updated"),
      fx("woocommerce/order-updated-refunded.json", "wooPl", "order.updated")
    ])
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated", "OrderRefunded"])
    expect(events[2]).toMatchObject({ refundedMinor: 20797, full: true, refundId: "4598", webhookId: "wh-4" })
    expect(state.status).toBe("refunded")
  })

  it("WooCommerce: a cancelled order deleted later is cancelled once", () => {
    const { events } = run([
      fx("woocommerce/order-updated-cancelled.json", "wooPl", "order.updated"),
      fx("woocommerce/order-deleted.json", "wooPl", "order.deleted")
    ])
    expect(tags(events)).toEqual(["OrderNormalized", "OrderCancelled"])
  })

  it("WooCommerce: a paid order deleted afterwards is cancelled after payment", () => {
    const { state } = run([
      fx("woocommerce/order-updated-processing.json", "wooPl", "order.updated"),
      { ...observed(fx("woocommerce/order-deleted.json", "wooPl", "order.deleted")), orderKey: "woo-pl:4521" }
    ])
    expect(state).toMatchObject({
      status: "cancelled",
      paidAt: "2024-11-29T10:21:39.000Z",
      cancelled: { reason: "deleted" }
    })
  })

  it("Stripe: SEPA session unpaid, then settled", () => {
    const { events } = run([
      fx("stripe/checkout-session-completed-unpaid.json", "stripe"),
      fx("stripe/checkout-session-async-payment-succeeded.json", "stripe")
    ])
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated"])
    expect(events[1]).toMatchObject({ from: "pending", to: "paid", paidAt: "2024-12-05T16:02:10.000Z" })
  })

  it("Stripe: partial then full refund of one charge", () => {
    const { events, state } = run([
      fx("stripe/checkout-session-completed.json", "stripe"),
      fx("stripe/charge-refunded-partial.json", "stripe"),
      fx("stripe/charge-refunded-partial.json", "stripe"),
      fx("stripe/charge-refunded-full.json", "stripe")
    ])
    expect(events.filter((e) => e._tag === "OrderRefunded")).toEqual([
      expect.objectContaining({ refundedMinor: 1500, full: false, amountMinor: 1500, webhookId: "wh-2" }),
      expect.objectContaining({ refundedMinor: 5990, full: true, amountMinor: 5990, webhookId: "wh-4" })
    ])
    expect(state.status).toBe("refunded")
  })

  it("Paddle: completed, a partial refund, a refund pending approval, then approved", () => {
    const { events, state } = run([
      fx("paddle/transaction-completed.json", "paddle"),
      fx("paddle/adjustment-created.json", "paddle"),
      fx("paddle/adjustment-created-pending.json", "paddle"),
      fx("paddle/adjustment-updated.json", "paddle")
    ])
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated", "OrderRefunded", "OrderRefunded"])
    expect(events[2]).toMatchObject({ refundedMinor: 1785, full: false })
    expect(events[3]).toMatchObject({ refundedMinor: 9401, full: true })
    expect(state).toMatchObject({ status: "refunded", refundedMinor: 9401 })
  })

  it("generic: pending, paid, refunded in two refunds", () => {
    const { events, state } = run([
      fx("generic/order-pending.json", "generic"),
      fx("generic/order-paid.json", "generic"),
      fx("generic/order-refunded.json", "generic")
    ])
    expect(tags(events)).toEqual(["OrderNormalized", "PaymentUpdated", "OrderRefunded", "OrderRefunded"])
    expect(events.slice(2)).toEqual([
      expect.objectContaining({ refundId: "R-1", refundedMinor: 3490, full: false }),
      expect.objectContaining({ refundId: "R-2", refundedMinor: 8970, full: true })
    ])
    expect(state.status).toBe("refunded")
  })
})

describe("evolve", () => {
  it("passes over events it does not know (routing and dispatch share the stream)", () => {
    const { state } = run([shopify.paid()])
    const others: ReadonlyArray<AppEvent> = [
      { _tag: "DispatchPlanned", orderKey: KEY, targets: [], decisions: [], trigger: "paid" },
      {
        _tag: "WebhookNormalized",
        webhookId: "wh-1",
        orderKey: KEY,
        outcome: "changed",
        eventTypes: [],
        parserVersion: 1
      }
    ]
    expect(foldOrder(others, state)).toBe(state)
  })

  it("starts pending with no order", () => {
    expect(initialOrderState).toMatchObject({ status: "pending", order: undefined, refundedMinor: 0 })
  })
})
