// The needs-attention page: dispatches in a state that needs an operator, webhooks that became no
// order (their last normalization failed, or their body was refused with 400), and targets whose
// circuit breaker is open.
import { Schema } from "effect"
import { WebhookProblem } from "../../webhooks/list.js"

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
  /** GET /api/v1/webhooks' rows, newest first, messages masked. */
  webhooks: Schema.Array(WebhookProblem),
  /** More such webhooks than listed (the newest are listed). */
  webhooksTruncated: Schema.Boolean,
  breakers: Schema.Array(OpenBreaker)
})
export type Attention = typeof Attention.Type
