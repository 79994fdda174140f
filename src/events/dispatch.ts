// Routing decisions and dispatch attempts, on the order's stream. A dispatch is one (order, target,
// kind) pair; `kind` separates the conversion from later adjustments (retraction / restatement).
import { Schema } from "effect"

export const DispatchKind = Schema.Literal("conversion", "retraction", "restatement", "status_change")
export type DispatchKind = typeof DispatchKind.Type

export const PlannedTarget = Schema.Struct({
  targetId: Schema.String,
  channel: Schema.String,
  ruleId: Schema.String,
  kind: DispatchKind,
  /** For a restatement: the new value in minor units. */
  valueMinor: Schema.optional(Schema.Int)
})

export const RuleDecision = Schema.Struct({
  ruleId: Schema.String,
  outcome: Schema.Literal("matched", "excluded", "excluded_by", "not_matched", "target_missing", "target_disabled"),
  detail: Schema.String
})

export const DispatchPlanned = Schema.TaggedStruct("DispatchPlanned", {
  orderKey: Schema.String,
  targets: Schema.Array(PlannedTarget),
  decisions: Schema.Array(RuleDecision),
  trigger: Schema.Literal("paid", "refund", "cancellation", "operator"),
  /** trigger operator (s2s replan): why, and who asked. */
  reason: Schema.optional(Schema.String),
  actor: Schema.optional(Schema.String)
})

export const HttpExchange = Schema.Struct({
  request: Schema.Struct({
    method: Schema.String,
    url: Schema.String,
    headers: Schema.Record({ key: Schema.String, value: Schema.String }),
    body: Schema.optional(Schema.String)
  }),
  response: Schema.optional(
    Schema.Struct({
      status: Schema.Int,
      headers: Schema.Record({ key: Schema.String, value: Schema.String }),
      body: Schema.String,
      truncated: Schema.Boolean
    })
  ),
  durationMs: Schema.Number,
  error: Schema.optional(Schema.String)
})
export type HttpExchange = typeof HttpExchange.Type

export const FailureReason = Schema.Literal(
  "Transport",
  "Timeout",
  "RateLimited",
  "ServerError",
  "Rejected",
  "Unauthorized",
  "InvalidPayload",
  "TooRecent",
  /** Past the destination's window (Meta: event_time older than 7 days): dead-lettered at once. */
  "Expired",
  "Configuration"
)
export type FailureReason = typeof FailureReason.Type

const dispatchRef = {
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  attempt: Schema.Int
}

/**
 * The intent, recorded before the channel request (intents.ts): an intent without an outcome after
 * it is an attempt whose result was lost (a crash or a paused worker), so a later run knows the
 * destination may have it. Its event id is derived from (order, target, kind, attempt), so of two
 * runners that decide the same attempt exactly one records it, and only that one sends.
 */
export const DispatchAttemptStarted = Schema.TaggedStruct("DispatchAttemptStarted", {
  ...dispatchRef,
  channel: Schema.String,
  /** The run that claimed the attempt (random per run): tells a retried append of ours from another's. */
  runner: Schema.String,
  /** This attempt re-sends attempt N, whose outcome is unknown (the destination deduplicates, or onAmbiguous: resend). */
  resendOf: Schema.optional(Schema.Int)
})

export const DispatchAttempted = Schema.TaggedStruct("DispatchAttempted", {
  ...dispatchRef,
  channel: Schema.String,
  exchanges: Schema.Array(HttpExchange),
  durationMs: Schema.Number,
  trigger: Schema.Literal("scheduled", "retry", "operator"),
  /** As on DispatchAttemptStarted: a resend of an attempt whose outcome was unknown. */
  resendOf: Schema.optional(Schema.Int)
})

export const DispatchSucceeded = Schema.TaggedStruct("DispatchSucceeded", {
  ...dispatchRef,
  /** The key the destination deduplicates on (Meta event_id, Google transaction id, ...). */
  dedupKey: Schema.String,
  /** True when the destination said it already had it (ORDER_ID_ALREADY_IN_USE, ...). */
  alreadyRecorded: Schema.Boolean,
  detail: Schema.optional(Schema.String)
})

export const DispatchFailed = Schema.TaggedStruct("DispatchFailed", {
  ...dispatchRef,
  reason: FailureReason,
  retryable: Schema.Boolean,
  message: Schema.String,
  status: Schema.optional(Schema.Int),
  nextAttemptAt: Schema.optional(Schema.String),
  /** The request may have reached the destination (no answer, connection lost after sending). */
  outcomeUnknown: Schema.optional(Schema.Boolean)
})

export const DispatchSkipped = Schema.TaggedStruct("DispatchSkipped", {
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  reason: Schema.Literal(
    "missing_identifiers",
    "consent_denied",
    "event_too_old",
    "target_removed",
    "target_disabled",
    "not_dispatched",
    "order_withdrawn",
    "unsupported",
    /** A dry run (validateOnly): the destination checked the request and stored nothing. */
    "validated"
  ),
  detail: Schema.String
})

export const DispatchDeadLettered = Schema.TaggedStruct("DispatchDeadLettered", {
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  attempts: Schema.Int,
  /** The last failure's reason (ServerError, Transport, ...); older events add why it was given up. */
  reason: Schema.String,
  message: Schema.String,
  /** Why it was given up (events before this field: see deadLetterCause). */
  cause: Schema.optional(Schema.Literal("attempts", "horizon", "window")),
  /** The same in words, e.g. "the next attempt would fall after the retry horizon (72 h)". */
  detail: Schema.optional(Schema.String)
})

/** Why a dispatch was given up; older events only said it inside `reason`. */
export const deadLetterCause = (event: {
  readonly reason: string
  readonly cause?: "attempts" | "horizon" | "window" | undefined
}): "attempts" | "horizon" | "window" | undefined =>
  event.cause ??
  (/retry horizon/.test(event.reason)
    ? "horizon"
    : /gave up after \d+ attempts/.test(event.reason)
      ? "attempts"
      : /time window/.test(event.reason)
        ? "window"
        : undefined)

/**
 * An attempt whose outcome is unknown, to a destination that cannot deduplicate a resend (a postback
 * target with onAmbiguous: hold, or Meta past its 48 h window): nothing more is sent until an operator
 * decides (`s2s redispatch --order K --target T --yes`, recorded as DispatchRequested with the actor).
 * outcome_lost: an intent without an outcome (the worker died or paused past its lease);
 * no_response: the request went out and no answer came (timeout, connection lost after sending).
 */
export const DispatchHeld = Schema.TaggedStruct("DispatchHeld", {
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  /** The attempt whose outcome is unknown. */
  attempt: Schema.Int,
  channel: Schema.String,
  cause: Schema.Literal("outcome_lost", "no_response"),
  detail: Schema.String
})

export const DispatchRequested = Schema.TaggedStruct("DispatchRequested", {
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  reason: Schema.String,
  actor: Schema.String,
  force: Schema.Boolean
})

/**
 * A conversion the system s2s replaces already sent (s2s import dispatched, at cutover): the pair
 * counts as delivered, so it is never sent again, also when the order's webhook arrives later.
 */
export const DispatchImported = Schema.TaggedStruct("DispatchImported", {
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  /** When the previous system sent it (ISO 8601). */
  sentAt: Schema.String,
  /** The previous system's reference for it (its id, the partner's confirmation), if any. */
  reference: Schema.optional(Schema.String),
  actor: Schema.String
})

/** Per-target circuit breaker, on the stream target-{id}. */
export const CircuitOpened = Schema.TaggedStruct("CircuitOpened", {
  targetId: Schema.String,
  consecutiveFailures: Schema.Int,
  lastReason: Schema.String,
  until: Schema.String
})
export const CircuitClosed = Schema.TaggedStruct("CircuitClosed", { targetId: Schema.String })

export const dispatchEvents = [
  DispatchPlanned,
  DispatchAttemptStarted,
  DispatchAttempted,
  DispatchSucceeded,
  DispatchFailed,
  DispatchSkipped,
  DispatchDeadLettered,
  DispatchHeld,
  DispatchRequested,
  DispatchImported,
  CircuitOpened,
  CircuitClosed
] as const
