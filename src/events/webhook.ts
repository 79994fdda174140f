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

export const WebhookRejected = Schema.TaggedStruct("WebhookRejected", {
  ...delivery,
  body: RawBody,
  reason: Schema.String
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

export const NormalizationFailed = Schema.TaggedStruct("NormalizationFailed", {
  webhookId: Schema.String,
  sourceId: Schema.String,
  reason: Schema.String,
  /** Where in the payload, e.g. "line_items[0].price". */
  path: Schema.optional(Schema.String),
  parserVersion: Schema.Int
})

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
