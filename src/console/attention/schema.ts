// The needs-attention page: dispatches in a state that needs an operator, webhooks whose last
// normalization failed, and targets whose circuit breaker is open.
import { Schema } from "effect"

export const AttentionDispatch = Schema.Struct({
  orderKey: Schema.String,
  company: Schema.NullOr(Schema.String),
  placedAt: Schema.NullOr(Schema.String),
  targetId: Schema.String,
  kind: Schema.String,
  channel: Schema.String,
  status: Schema.String,
  /** The re-dispatch state filter that selects this dispatch. */
  redispatchState: Schema.String,
  attempts: Schema.Int,
  lastAttemptAt: Schema.NullOr(Schema.String),
  lastReason: Schema.NullOr(Schema.String),
  /** Masked (e-mail addresses, IPs): a partner's answer can quote the customer. */
  lastMessage: Schema.NullOr(Schema.String)
})
export type AttentionDispatch = typeof AttentionDispatch.Type

export const NormalizationFailure = Schema.Struct({
  webhookId: Schema.String,
  sourceId: Schema.String,
  reason: Schema.String,
  path: Schema.NullOr(Schema.String),
  failedAt: Schema.String
})
export type NormalizationFailure = typeof NormalizationFailure.Type

export const OpenBreaker = Schema.Struct({
  targetId: Schema.String,
  consecutiveFailures: Schema.Int,
  lastReason: Schema.String,
  openedAt: Schema.String,
  until: Schema.String
})
export type OpenBreaker = typeof OpenBreaker.Type

export const Attention = Schema.Struct({
  states: Schema.Array(
    Schema.Struct({ status: Schema.String, label: Schema.String, count: Schema.Int, redispatchState: Schema.String })
  ),
  dispatches: Schema.Array(AttentionDispatch),
  normalizationFailures: Schema.Array(NormalizationFailure),
  /** More failures than listed (the newest are listed). */
  normalizationFailuresTruncated: Schema.Boolean,
  breakers: Schema.Array(OpenBreaker)
})
export type Attention = typeof Attention.Type
