// An order's status is derived from facts that only accumulate (paid, refunds, cancelled, fully
// refunded), so it only moves forward and the same facts give the same status in any arrival order.
// The order of the ranks is the order of precedence when several facts hold at once: a cancelled order
// that was also fully refunded is "refunded"; a cancellation beats a partial refund (both retract).
import type { OrderStatus } from "../events/CanonicalOrder.js"

export const STATUS_RANK: Readonly<Record<OrderStatus, number>> = {
  pending: 0,
  paid: 1,
  partially_refunded: 2,
  cancelled: 3,
  refunded: 4
}

export const laterStatus = (a: OrderStatus, b: OrderStatus): OrderStatus => (STATUS_RANK[b] > STATUS_RANK[a] ? b : a)

export interface StatusFacts {
  readonly paid: boolean
  readonly cancelled: boolean
  readonly refundedMinor: number
  readonly fullyRefunded: boolean
}

export const deriveStatus = (facts: StatusFacts): OrderStatus =>
  facts.fullyRefunded
    ? "refunded"
    : facts.cancelled
      ? "cancelled"
      : facts.refundedMinor > 0
        ? "partially_refunded"
        : facts.paid
          ? "paid"
          : "pending"

/**
 * Refunded amount from refund amounts grouped by the source that reported them. Each source reports
 * every refund it knows about (a shop and the payment provider behind it may report the same refund
 * under different ids), so the sources' sums are alternative views of one amount: take the largest.
 * A full refund, or more than the value, is the value.
 */
export const refundedTotal = (
  bySource: ReadonlyMap<string, number>,
  fullyRefunded: boolean,
  valueMinor: number | undefined
): number => {
  const largest = Math.max(0, ...bySource.values())
  if (valueMinor === undefined) return largest
  return fullyRefunded ? Math.max(valueMinor, 0) : Math.min(largest, Math.max(valueMinor, 0))
}
