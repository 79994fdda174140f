// What dispatch asks of an order stream: may it be sent as a conversion, and does a change after
// payment call for an adjustment of a conversion already sent.

import { keySource, type OrderState } from "../../conversion/order.js"
import type { OrderStatus } from "../../events/CanonicalOrder.js"

/**
 * Paid (or later), not ignored, not a test order, and its details known from the order's own source.
 * A billing payment for a shop order that arrives before the shop's snapshot makes the order paid but
 * not yet eligible: the click ids live in the shop's snapshot, and a conversion sent without them
 * could not be attributed (nor resent once they arrive).
 */
export const isEligible = (state: OrderState): boolean =>
  state.order !== undefined &&
  state.paidAt !== undefined &&
  state.ignored === undefined &&
  !state.order.test &&
  state.order.sourceId === keySource(state.order.orderKey)

export type Adjustment =
  /** Fully refunded or cancelled: take the conversion back. */
  | { readonly kind: "retraction"; readonly reason: "refunded" | "cancelled" }
  /** Partially refunded: the conversion's value is now valueMinor. */
  | { readonly kind: "restatement"; readonly valueMinor: number; readonly currency: string }

const retracted = (status: OrderStatus) => status === "refunded" || status === "cancelled"

/**
 * The adjustment a transition calls for, or undefined. When the order only becomes eligible with this
 * transition (its payment arrived after a refund), the baseline is the paid order as first sent, so
 * dispatch sends the conversion and then this adjustment.
 */
export const adjustmentFor = (before: OrderState, after: OrderState): Adjustment | undefined => {
  if (!isEligible(after) || after.order === undefined) return undefined
  const baseline = isEligible(before) ? before : { status: "paid" as const, refundedMinor: 0 }
  if (retracted(baseline.status)) return undefined
  if (after.status === "refunded" || after.status === "cancelled") return { kind: "retraction", reason: after.status }
  if (after.refundedMinor > baseline.refundedMinor) {
    const value = after.order.value
    return {
      kind: "restatement",
      valueMinor: Math.max(0, value.amountMinor - after.refundedMinor),
      currency: value.currency
    }
  }
  return undefined
}
