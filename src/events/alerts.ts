// Alerts for marketers and operators. Raised on the stream alert-{alertId}; delivery to Slack is a
// job whose attempts are recorded on the same stream, so Slack being down never blocks the pipeline.
import { Schema } from "effect"

export const AlertProblem = Schema.Literal(
  "missing_tracking",
  "contradicting_tracking",
  "dispatch_skipped",
  "dead_letter",
  "dispatch_rejected",
  "circuit_open",
  "coverage_digest",
  "repeat_digest",
  "weekly_report",
  /** A dispatch whose outcome is unknown, held for an operator (DispatchHeld). */
  "dispatch_held",
  /** A recorded webhook no parser could read (NormalizationFailed), grouped per source and reason. */
  "normalization_failed",
  /** A signed webhook refused with 400 (WebhookRejected), grouped per source and reason. */
  "webhook_rejected"
)
export type AlertProblem = typeof AlertProblem.Type

export const AlertRaised = Schema.TaggedStruct("AlertRaised", {
  alertId: Schema.String,
  problem: AlertProblem,
  /** Grouping key: company|partner|campaign|problem. */
  groupKey: Schema.String,
  orderKey: Schema.optional(Schema.String),
  /** Webhook alerts (no order yet): the webhook, and the source it came from. */
  webhookId: Schema.optional(Schema.String),
  sourceId: Schema.optional(Schema.String),
  targetId: Schema.optional(Schema.String),
  company: Schema.optional(Schema.String),
  market: Schema.optional(Schema.String),
  partner: Schema.optional(Schema.String),
  campaign: Schema.optional(Schema.String),
  landingUrl: Schema.optional(Schema.String),
  summary: Schema.String,
  details: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

export const AlertSent = Schema.TaggedStruct("AlertSent", {
  alertId: Schema.String,
  channel: Schema.String,
  ts: Schema.optional(Schema.String),
  /** How many grouped occurrences this message covers. */
  occurrences: Schema.Int
})

export const AlertSuppressed = Schema.TaggedStruct("AlertSuppressed", {
  alertId: Schema.String,
  reason: Schema.String
})

export const AlertDeliveryFailed = Schema.TaggedStruct("AlertDeliveryFailed", {
  alertId: Schema.String,
  attempt: Schema.Int,
  error: Schema.String,
  retryable: Schema.Boolean
})

export const alertEvents = [AlertRaised, AlertSent, AlertSuppressed, AlertDeliveryFailed] as const
