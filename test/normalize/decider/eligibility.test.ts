import { describe, expect, it } from "vitest"
import { adjustmentFor, isEligible, type OrderState } from "../../../src/normalize/normalize.js"
import type { Observed } from "../../../src/normalize/outcome.js"
import { observed } from "../support.js"
import { fx, run, shopify } from "./support.js"

const stateAfter = (...outcomes: Parameters<typeof run>[0]) => run(outcomes).state

describe("isEligible: paid or later, not ignored, not a test, details known", () => {
  it.each<[string, () => OrderState, boolean]>([
    ["pending", () => stateAfter(shopify.created()), false],
    ["paid", () => stateAfter(shopify.created(), shopify.paid()), true],
    ["partially refunded after payment", () => stateAfter(shopify.paid(), shopify.refundPartial()), true],
    ["fully refunded after payment", () => stateAfter(shopify.presentment(), shopify.refundFull()), true],
    ["cancelled without payment", () => stateAfter(shopify.cancelled()), false],
    ["a test order", () => stateAfter(shopify.test()), false],
    ["a re-shipment", () => stateAfter(shopify.reship()), false],
    ["a refund for an order whose details never came", () => stateAfter(shopify.refundFull()), false],
    [
      "paid via a billing source, the shop's order not yet here",
      () => stateAfter(fx("paddle/transaction-completed-shop-order.json", "paddleShop")),
      false
    ],
    [
      "paid via a billing source, then the shop's pending order arrives",
      () => stateAfter(fx("paddle/transaction-completed-shop-order.json", "paddleShop"), shopify.created()),
      true
    ],
    [
      "a billing source's own order (no shop order named)",
      () => stateAfter(fx("paddle/transaction-completed.json", "paddle")),
      true
    ]
  ])("%s -> %s", (_, state, expected) => {
    expect(isEligible(state())).toBe(expected)
  })

  it("a test flag set by a configured rule is enough", () => {
    const outcome = observed(shopify.paid())
    const flagged: Observed = { ...outcome, snapshot: { ...outcome.snapshot!, test: true } }
    expect(isEligible(stateAfter(flagged))).toBe(false)
  })
})

describe("adjustmentFor: what a change after payment asks of a conversion already sent", () => {
  const paid = () => stateAfter(shopify.created(), shopify.paid(), shopify.updated())

  it.each<[string, () => OrderState, () => OrderState, ReturnType<typeof adjustmentFor>]>([
    [
      "paid -> partially refunded: restate at value - refunded",
      paid,
      () => run([shopify.refundPartial()], paid()).state,
      { kind: "restatement", valueMinor: 4081, currency: "EUR" }
    ],
    [
      "paid -> fully refunded: retract",
      () => stateAfter(shopify.presentment()),
      () => stateAfter(shopify.presentment(), shopify.refundFull()),
      { kind: "retraction", reason: "refunded" }
    ],
    [
      "paid -> cancelled: retract",
      () => stateAfter(fx("woocommerce/order-updated-processing.json", "wooPl", "order.updated")),
      () =>
        run(
          [{ ...observed(fx("woocommerce/order-deleted.json", "wooPl", "order.deleted")), orderKey: "woo-pl:4521" }],
          stateAfter(fx("woocommerce/order-updated-processing.json", "wooPl", "order.updated"))
        ).state,
      { kind: "retraction", reason: "cancelled" }
    ],
    ["pending -> paid: the conversion itself, no adjustment", () => stateAfter(shopify.created()), paid, undefined],
    [
      "paid -> paid with new details: nothing",
      paid,
      () =>
        stateAfter(shopify.created(), shopify.paid(), shopify.updated(), shopify.updatedRefunded()).status ===
        "partially_refunded"
          ? paid()
          : paid(),
      undefined
    ],
    [
      "partially refunded -> the same refund again: nothing",
      () => run([shopify.refundPartial()], paid()).state,
      () => run([shopify.refundPartial(), shopify.updatedRefunded()], paid()).state,
      undefined
    ],
    [
      "refunded -> anything: already retracted",
      () => stateAfter(shopify.presentment(), shopify.refundFull()),
      () => stateAfter(shopify.presentment(), shopify.refundFull()),
      undefined
    ],
    [
      "unpaid and cancelled: nothing was sent",
      () => stateAfter(shopify.created()),
      () => stateAfter(shopify.cancelled()),
      undefined
    ],
    [
      "payment arrives after a partial refund: send, then restate",
      () => stateAfter(shopify.created(), shopify.refundPartial()),
      () => stateAfter(shopify.created(), shopify.refundPartial(), shopify.paid()),
      { kind: "restatement", valueMinor: 4081, currency: "EUR" }
    ],
    ["a test order: nothing", () => stateAfter(shopify.test()), () => stateAfter(shopify.test()), undefined]
  ])("%s", (_, before, after, expected) => {
    expect(adjustmentFor(before(), after())).toEqual(expected)
  })

  it("a second partial refund restates again at the new value", () => {
    const once = run([shopify.refundPartial()], stateAfter(shopify.paid())).state
    const second: Observed = {
      ...observed(shopify.refundPartial()),
      refunds: [{ id: "999", amountMinor: 1000, currency: "EUR" }]
    }
    const twice = run([second], once).state
    expect(adjustmentFor(once, twice)).toEqual({ kind: "restatement", valueMinor: 6326 - 2245 - 1000, currency: "EUR" })
  })
})
