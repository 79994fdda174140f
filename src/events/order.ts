// What happened to an order, on its stream (order-{orderKey}): normalization outcomes, payment
// changes, refunds, routing decisions and every dispatch attempt.
import { Schema } from "effect"
import { CanonicalOrder, OrderStatus } from "./CanonicalOrder.js"

export const OrderNormalized = Schema.TaggedStruct("OrderNormalized", {
  webhookId: Schema.String,
  order: CanonicalOrder,
  parserVersion: Schema.Int,
  /**
   * The webhook whose snapshot the details are based on, when not webhookId: this webhook's snapshot
   * ranked lower (older, or a billing source's) and only filled fields the basis left empty.
   */
  detailsFrom: Schema.optional(Schema.String)
})

export const OrderIgnored = Schema.TaggedStruct("OrderIgnored", {
  webhookId: Schema.String,
  orderKey: Schema.String,
  reason: Schema.Literal("test_order", "reshipment", "zero_value", "unsupported_topic", "other"),
  detail: Schema.String
})

export const PaymentUpdated = Schema.TaggedStruct("PaymentUpdated", {
  webhookId: Schema.String,
  orderKey: Schema.String,
  from: OrderStatus,
  to: OrderStatus,
  paidAt: Schema.optional(Schema.String),
  /** The billing source that reported it, when not the order's own source. */
  viaSource: Schema.optional(Schema.String)
})

export const OrderRefunded = Schema.TaggedStruct("OrderRefunded", {
  webhookId: Schema.String,
  orderKey: Schema.String,
  /** Cumulative refunded amount after this refund, in the order currency. */
  refundedMinor: Schema.Int,
  currency: Schema.String,
  full: Schema.Boolean,
  refundId: Schema.optional(Schema.String),
  refundedAt: Schema.optional(Schema.String),
  /** This refund's amount as its platform reports it (cumulative for that refund id). */
  amountMinor: Schema.optional(Schema.Int),
  /** The billing source that reported it, when not the order's own source. */
  viaSource: Schema.optional(Schema.String)
})

export const OrderCancelled = Schema.TaggedStruct("OrderCancelled", {
  webhookId: Schema.String,
  orderKey: Schema.String,
  reason: Schema.optional(Schema.String),
  cancelledAt: Schema.optional(Schema.String)
})

export const orderEvents = [OrderNormalized, OrderIgnored, PaymentUpdated, OrderRefunded, OrderCancelled] as const
