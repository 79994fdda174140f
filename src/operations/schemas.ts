// The wire shapes of operator actions: request bodies and reports, shared by the HTTP API (and its
// OpenAPI document), the CLI's --json output and the services that build them.
import { Schema } from "effect"
import { DispatchKind } from "../events/dispatch.js"
import { RedispatchStates, RenormalizeStates } from "./request.js"

export const RedispatchBody = Schema.Struct({
  orderKeys: Schema.optional(Schema.Array(Schema.String).pipe(Schema.maxItems(10_000))),
  target: Schema.optional(Schema.String),
  /** ISO 8601; on the order's placement time, inclusive. */
  from: Schema.optional(Schema.String),
  /** ISO 8601; exclusive. */
  to: Schema.optional(Schema.String),
  state: Schema.optional(Schema.Literal(...RedispatchStates)),
  kind: Schema.optional(DispatchKind),
  force: Schema.optional(Schema.Boolean),
  reason: Schema.optional(Schema.String),
  /** Default true: list what would be sent, send nothing. */
  dryRun: Schema.optional(Schema.Boolean)
})

export const RequestPreview = Schema.Struct({
  method: Schema.String,
  url: Schema.String,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  body: Schema.optional(Schema.String)
})
export type RequestPreview = typeof RequestPreview.Type

export const RedispatchItem = Schema.Struct({
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  channel: Schema.String,
  /** The dispatch's state on the order's stream when it was checked. */
  state: Schema.String,
  attempts: Schema.Int,
  action: Schema.Literal("would_send", "requested", "skipped"),
  /** Why it is not sent. */
  reason: Schema.optional(Schema.String),
  /** What the destination deduplicates on (Meta event_id, Google transaction id); stays the same. */
  dedupKey: Schema.optional(Schema.String),
  summary: Schema.optional(Schema.String),
  /** Postbacks: the exact request, secrets redacted. */
  request: Schema.optional(RequestPreview)
})
export type RedispatchItem = typeof RedispatchItem.Type

export const RedispatchReport = Schema.Struct({
  dryRun: Schema.Boolean,
  force: Schema.Boolean,
  /** Dispatches that matched the filters on their order's stream. */
  selected: Schema.Int,
  /** Would be sent (dry run) or were requested. */
  send: Schema.Int,
  skipped: Schema.Int,
  /** Order keys given explicitly that have no stream. */
  notFound: Schema.Array(Schema.String),
  /** More orders matched than one request handles; narrow the filters and run again. */
  truncated: Schema.Boolean,
  items: Schema.Array(RedispatchItem)
})
export type RedispatchReport = typeof RedispatchReport.Type

export const ReplanBody = Schema.Struct({
  orderKeys: Schema.optional(Schema.Array(Schema.String).pipe(Schema.maxItems(10_000))),
  company: Schema.optional(Schema.String),
  partner: Schema.optional(Schema.String),
  sourceId: Schema.optional(Schema.String),
  /** Only plan this target. */
  target: Schema.optional(Schema.String),
  /** ISO 8601; on the order's placement time, inclusive. */
  from: Schema.optional(Schema.String),
  /** ISO 8601; exclusive. */
  to: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  /** Default true: list the (order, target) pairs that would be planned, plan nothing. */
  dryRun: Schema.optional(Schema.Boolean)
})

export const ReplanItem = Schema.Struct({
  orderKey: Schema.String,
  targetId: Schema.optional(Schema.String),
  channel: Schema.optional(Schema.String),
  /** The rule that routes the order to the target now. */
  ruleId: Schema.optional(Schema.String),
  /**
   * would_plan (dry run) / planned: a conversion never planned for this pair; skipped: the order as a
   * whole (not paid, ignored, partner rules changed since it was normalized); no_longer_routed: a
   * dispatch the current rules would not make, left as it is.
   */
  action: Schema.Literal("would_plan", "planned", "skipped", "no_longer_routed"),
  reason: Schema.optional(Schema.String)
})
export type ReplanItem = typeof ReplanItem.Type

export const ReplanReport = Schema.Struct({
  dryRun: Schema.Boolean,
  /** Orders checked. */
  selected: Schema.Int,
  /** Orders that get (or would get) new dispatches, and how many (order, target) pairs. */
  orders: Schema.Int,
  planned: Schema.Int,
  /** Orders already routed as the current configuration routes them. */
  unchanged: Schema.Int,
  skipped: Schema.Int,
  notFound: Schema.Array(Schema.String),
  truncated: Schema.Boolean,
  items: Schema.Array(ReplanItem)
})
export type ReplanReport = typeof ReplanReport.Type

export const RenormalizeBody = Schema.Struct({
  webhookIds: Schema.optional(Schema.Array(Schema.String).pipe(Schema.maxItems(10_000))),
  sourceId: Schema.optional(Schema.String),
  /** ISO 8601; on the webhook's receipt time, inclusive. */
  from: Schema.optional(Schema.String),
  to: Schema.optional(Schema.String),
  /** failed (default): webhooks whose last normalization failed; all: every webhook selected. */
  state: Schema.optional(Schema.Literal(...RenormalizeStates)),
  reason: Schema.optional(Schema.String),
  dryRun: Schema.optional(Schema.Boolean)
})

export const RenormalizeItem = Schema.Struct({
  webhookId: Schema.String,
  sourceId: Schema.String,
  topic: Schema.optional(Schema.String),
  receivedAt: Schema.String,
  /** The last normalization record: "failed: ...", "changed: order ...", "not normalized yet". */
  before: Schema.String,
  /** What the current parsers and configuration make of it. */
  after: Schema.String,
  orderKey: Schema.optional(Schema.String),
  /** The order events a re-run would append (DispatchPlanned included). */
  orderEvents: Schema.Array(Schema.String),
  action: Schema.Literal("would_renormalize", "requested", "unchanged", "skipped"),
  reason: Schema.optional(Schema.String)
})
export type RenormalizeItem = typeof RenormalizeItem.Type

export const RenormalizeReport = Schema.Struct({
  dryRun: Schema.Boolean,
  /** The state the selection used (failed unless asked otherwise, or webhooks named one by one). */
  state: Schema.Literal(...RenormalizeStates),
  /** When nothing was selected: why, and what to run instead. */
  explanation: Schema.optional(Schema.String),
  selected: Schema.Int,
  /** Would change (dry run) or were requested. */
  changes: Schema.Int,
  unchanged: Schema.Int,
  skipped: Schema.Int,
  notFound: Schema.Array(Schema.String),
  truncated: Schema.Boolean,
  items: Schema.Array(RenormalizeItem)
})
export type RenormalizeReport = typeof RenormalizeReport.Type
