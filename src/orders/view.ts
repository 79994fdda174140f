// The order view as the API and the CLI show it: the conversions projection's document (or the same
// fold over the order stream) turned into a flat, documented JSON shape. Pure; personal data is
// masked unless the reader may see it (admin scope, or `--reveal` on the CLI).
import { Schema } from "effect"
import { Consent, Customer, OrderStatus, Tracking } from "../events/CanonicalOrder.js"
import { DispatchKind } from "../events/dispatch.js"
import { amountText } from "../lib/money.js"
import { type ConversionView, hasAnyTracking, hasClickId, summarize } from "../projections/conversionView.js"
import { maskText } from "./mask.js"
import { maskCustomer, maskTracking } from "./maskEvent.js"

const Nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.NullOr(schema)

export const DispatchStateSummary = Schema.Literal(
  "none",
  "pending",
  "delivered",
  "partial",
  "failed",
  "dead_lettered",
  "skipped",
  "held"
)

export const ViewStatus = Schema.Union(OrderStatus, Schema.Literal("ignored"))

export const Value = Schema.Struct({
  amountMinor: Schema.Int,
  currency: Schema.String,
  /** Decimal with the currency's exponent: "63.26", "1200" (JPY), "1.250" (KWD). */
  amount: Schema.String
})

export const TargetState = Schema.Struct({
  targetId: Schema.String,
  kind: DispatchKind,
  channel: Schema.String,
  ruleId: Schema.String,
  status: Schema.Literal("planned", "retrying", "succeeded", "failed", "dead_lettered", "skipped", "held"),
  attempts: Schema.Int,
  lastAttemptAt: Nullable(Schema.String),
  nextAttemptAt: Nullable(Schema.String),
  succeededAt: Nullable(Schema.String),
  lastReason: Nullable(Schema.String),
  lastMessage: Nullable(Schema.String)
}).annotations({ identifier: "TargetState" })

export const OrderView = Schema.Struct({
  orderKey: Schema.String,
  sourceId: Schema.String,
  platform: Nullable(Schema.String),
  platformOrderId: Nullable(Schema.String),
  orderNumber: Nullable(Schema.String),
  company: Nullable(Schema.String),
  market: Nullable(Schema.String),
  partner: Nullable(Schema.String),
  products: Schema.Array(Schema.String),
  status: ViewStatus,
  /** Why the order is not dispatched (test order, re-shipment, ...), when it is ignored. */
  ignored: Nullable(Schema.Struct({ reason: Schema.String, detail: Schema.String })),
  value: Nullable(Value),
  refundedMinor: Schema.Int,
  placedAt: Nullable(Schema.String),
  paidAt: Nullable(Schema.String),
  cancelledAt: Nullable(Schema.String),
  test: Schema.Boolean,
  tracking: Nullable(Tracking),
  hasClickId: Schema.Boolean,
  missingTracking: Schema.Boolean,
  consent: Nullable(Consent),
  customer: Nullable(Customer),
  /** True when personal data is masked (every scope but admin). */
  masked: Schema.Boolean,
  targets: Schema.Array(TargetState),
  dispatchState: DispatchStateSummary,
  firstRecordedAt: Schema.String,
  updatedAt: Schema.String,
  /** The order stream's version this view reflects. */
  version: Schema.Int
}).annotations({ identifier: "OrderView" })
export type OrderView = typeof OrderView.Type

const orNull = <A>(value: A | undefined): A | null => (value === undefined ? null : value)

export const toOrderView = (view: ConversionView, options: { readonly reveal: boolean }): OrderView => {
  const state = view.order
  const order = state.order
  const mask = !options.reveal
  const tracking = order === undefined ? null : mask ? maskTracking(order.tracking) : order.tracking
  return {
    orderKey: view.orderKey,
    sourceId: order?.sourceId ?? view.orderKey.slice(0, Math.max(0, view.orderKey.indexOf(":"))),
    platform: orNull(order?.platform),
    platformOrderId: orNull(order?.platformOrderId),
    orderNumber: orNull(order?.orderNumber),
    company: orNull(order?.company),
    market: orNull(order?.market),
    partner: orNull(order?.partner),
    products: order?.products ?? [],
    status: state.ignored ? "ignored" : state.status,
    ignored: state.ignored ? { reason: state.ignored.reason, detail: state.ignored.detail } : null,
    value:
      order === undefined
        ? null
        : {
            amountMinor: order.value.amountMinor,
            currency: order.value.currency,
            amount: amountText(order.value.amountMinor, order.value.currency)
          },
    refundedMinor: state.refundedMinor,
    placedAt: orNull(order?.placedAt),
    paidAt: orNull(state.paidAt),
    cancelledAt: state.cancelled === undefined ? null : orNull(state.cancelled.at),
    test: order?.test ?? false,
    tracking,
    hasClickId: hasClickId(order),
    missingTracking: !hasAnyTracking(order),
    consent: orNull(order?.consent),
    customer: order === undefined ? null : mask ? maskCustomer(order.customer) : order.customer,
    masked: mask,
    targets: view.dispatch.map((d) => ({
      targetId: d.targetId,
      kind: d.kind,
      channel: d.channel,
      ruleId: d.ruleId,
      status: d.status,
      attempts: d.attempts,
      lastAttemptAt: orNull(d.lastAttemptAt),
      nextAttemptAt: orNull(d.nextAttemptAt),
      succeededAt: orNull(d.succeededAt),
      lastReason: orNull(d.lastReason),
      lastMessage: d.lastMessage === undefined ? null : mask ? maskText(d.lastMessage) : d.lastMessage
    })),
    dispatchState: summarize(view.dispatch),
    firstRecordedAt: view.firstRecordedAt,
    updatedAt: view.updatedAt,
    version: view.version
  }
}
