// Webhook deliveries, one stream per logical webhook (webhook-{webhookId}); the webhook id is derived
// from the source and the platform's dedup key, so every redelivery lands on the same stream.
import { Schema } from "effect"

export const RawBody = Schema.Struct({
  /** utf8 when the bytes are valid UTF-8 without NUL (jsonb cannot hold \u0000), else base64. */
  encoding: Schema.Literal("utf8", "base64"),
  text: Schema.String,
  sha256: Schema.String,
  bytes: Schema.Int
})
export type RawBody = typeof RawBody.Type

const delivery = {
  webhookId: Schema.String,
  sourceId: Schema.String,
  kind: Schema.String,
  topic: Schema.optional(Schema.String),
  dedupKey: Schema.String,
  /** Headers that matter for audit and parsing; never Authorization or signatures. */
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  receivedAt: Schema.String,
  remoteAddress: Schema.optional(Schema.String)
}

export const WebhookReceived = Schema.TaggedStruct("WebhookReceived", {
  ...delivery,
  body: RawBody,
  /** Platform test mode (Stripe livemode: false), when known at ingest. */
  testMode: Schema.optional(Schema.Boolean)
})
export type WebhookReceived = typeof WebhookReceived.Type

export const WebhookDuplicateReceived = Schema.TaggedStruct("WebhookDuplicateReceived", {
  ...delivery,
  body: RawBody
})

/** Why a signed webhook was refused with 400, as a bounded label (metrics, alert groups, listings). */
export const WebhookRejectionReason = Schema.Literal("invalid_json", "not_utf8", "invalid_payload")
export type WebhookRejectionReason = typeof WebhookRejectionReason.Type

export const WebhookRejected = Schema.TaggedStruct("WebhookRejected", {
  ...delivery,
  body: RawBody,
  reason: Schema.String,
  /** The reason as a label; events recorded before it existed derive it (rejectionReasonOf). */
  category: Schema.optional(WebhookRejectionReason)
})

/** The normalization job's record on the webhook stream: which order it concerned and what changed. */
export const WebhookNormalized = Schema.TaggedStruct("WebhookNormalized", {
  webhookId: Schema.String,
  orderKey: Schema.optional(Schema.String),
  outcome: Schema.Literal("changed", "unchanged", "ignored", "skipped"),
  eventTypes: Schema.Array(Schema.String),
  parserVersion: Schema.Int,
  detail: Schema.optional(Schema.String),
  /** A billing object id that now names this order (see order_aliases). */
  billingKey: Schema.optional(Schema.String)
})

/** Why normalization failed, as a bounded label (metrics, alert groups, listings). */
export const NormalizationFailureReason = Schema.Literal(
  "invalid_json",
  "not_utf8",
  "missing_field",
  "invalid_field",
  "unknown_source"
)
export type NormalizationFailureReason = typeof NormalizationFailureReason.Type

export const NormalizationFailed = Schema.TaggedStruct("NormalizationFailed", {
  webhookId: Schema.String,
  sourceId: Schema.String,
  reason: Schema.String,
  /** Where in the payload, e.g. "line_items[0].price". */
  path: Schema.optional(Schema.String),
  parserVersion: Schema.Int,
  /** The reason as a label; events recorded before it existed derive it (failureReasonOf). */
  category: Schema.optional(NormalizationFailureReason)
})

/** The label of a normalization failure, from its reason sentence when the event predates `category`. */
export const failureReasonOf = (event: {
  readonly reason: string
  readonly category?: NormalizationFailureReason | undefined
}): NormalizationFailureReason => {
  if (event.category !== undefined) return event.category
  if (event.reason.startsWith("body is not valid JSON")) return "invalid_json"
  if (/^source .* is no longer configured$/.test(event.reason)) return "unknown_source"
  return /\bis missing\b/.test(event.reason) ? "missing_field" : "invalid_field"
}

/** The label of a rejection, from its reason sentence when the event predates `category`. */
export const rejectionReasonOf = (event: {
  readonly reason: string
  readonly body: Pick<RawBody, "encoding">
  readonly category?: WebhookRejectionReason | undefined
}): WebhookRejectionReason => event.category ?? (event.body.encoding === "base64" ? "not_utf8" : "invalid_json")

export const RenormalizationRequested = Schema.TaggedStruct("RenormalizationRequested", {
  webhookId: Schema.String,
  reason: Schema.String,
  actor: Schema.String
})

export const webhookEvents = [
  WebhookReceived,
  WebhookDuplicateReceived,
  WebhookRejected,
  WebhookNormalized,
  NormalizationFailed,
  RenormalizationRequested
] as const
