// Where each dispatch of an order stands, folded from the dispatch events on the order's stream.
// A dispatch is one (target, kind). "succeeded" is final unless an operator forces a resend; the
// dispatcher checks it before every call, so retries, replays and duplicate jobs send nothing twice.

import type { DispatchKind } from "../events/dispatch.js"
import type { AppEvent } from "../events/Events.js"

export type DispatchStatus =
  | "planned"
  | "retrying"
  | "succeeded"
  | "failed" // permanently rejected
  | "dead_lettered"
  | "skipped"
  /** An attempt's outcome is unknown and the destination cannot deduplicate a resend: an operator decides. */
  | "held"

export interface DispatchEntry {
  readonly targetId: string
  readonly kind: DispatchKind
  readonly channel: string
  readonly ruleId: string
  readonly status: DispatchStatus
  readonly attempts: number
  readonly firstAttemptAt?: string | undefined
  readonly lastAttemptAt?: string | undefined
  readonly nextAttemptAt?: string | undefined
  readonly succeededAt?: string | undefined
  readonly dedupKey?: string | undefined
  readonly lastReason?: string | undefined
  readonly lastMessage?: string | undefined
  /** Restatement value planned with it. */
  readonly valueMinor?: number | undefined
  /** An operator asked for this dispatch again; `force` allows a resend after success. */
  readonly requested?: { readonly force: boolean; readonly reason: string; readonly actor: string } | undefined
  /** Attempts made before the last operator request: the retry budget counts from there. */
  readonly budgetFrom?: number | undefined
  /** Sent by the system s2s replaced (s2s import dispatched): delivered, never sent from here. */
  readonly imported?: { readonly sentAt: string; readonly reference?: string | undefined } | undefined
  /** An intent (DispatchAttemptStarted) with no outcome yet: being sent now, or lost in a crash. */
  readonly inFlight?: { readonly attempt: number; readonly runner: string; readonly at: string } | undefined
  /** The last attempt whose outcome is unknown (no answer, or lost): the next attempt re-sends it. */
  readonly unknownAttempt?: number | undefined
}

export type DispatchState = ReadonlyMap<string, DispatchEntry>

export const dispatchKey = (targetId: string, kind: DispatchKind) => `${targetId}|${kind}`

export const emptyDispatchState: DispatchState = new Map()

/** `at`: when the event was recorded (ISO); attempts and successes take their time from it. */
export const evolveDispatch = (state: DispatchState, event: AppEvent, at: string): DispatchState => {
  const update = (targetId: string, kind: DispatchKind, f: (e: DispatchEntry) => DispatchEntry) => {
    const key = dispatchKey(targetId, kind)
    const current = state.get(key) ?? {
      targetId,
      kind,
      channel: "unknown",
      ruleId: "unknown",
      status: "planned" as const,
      attempts: 0
    }
    const next = new Map(state)
    next.set(key, f(current))
    return next
  }
  switch (event._tag) {
    case "DispatchPlanned": {
      let next = state
      for (const t of event.targets) {
        const key = dispatchKey(t.targetId, t.kind)
        // A conversion is planned once; an adjustment is planned again for each change (a second
        // partial refund restates the value anew).
        if (next.has(key) && t.kind === "conversion") continue
        const map = new Map(next)
        map.set(key, {
          targetId: t.targetId,
          kind: t.kind,
          channel: t.channel,
          ruleId: t.ruleId,
          status: "planned",
          attempts: 0,
          valueMinor: t.valueMinor
        })
        next = map
      }
      return next
    }
    case "DispatchAttemptStarted":
      // The attempt number is taken even if its outcome is never recorded: the next one is new.
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        channel: event.channel,
        attempts: Math.max(e.attempts, event.attempt),
        firstAttemptAt: e.firstAttemptAt ?? at,
        lastAttemptAt: at,
        nextAttemptAt: undefined,
        inFlight: { attempt: event.attempt, runner: event.runner, at }
      }))
    case "DispatchAttempted":
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        channel: event.channel,
        attempts: Math.max(e.attempts, event.attempt),
        firstAttemptAt: e.firstAttemptAt ?? at,
        lastAttemptAt: at,
        nextAttemptAt: undefined,
        // A paused runner's late outcome of an older attempt leaves a newer intent in flight.
        inFlight: e.inFlight !== undefined && e.inFlight.attempt > event.attempt ? e.inFlight : undefined
      }))
    case "DispatchSucceeded":
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: "succeeded",
        succeededAt: at,
        dedupKey: event.dedupKey,
        requested: undefined,
        lastReason: undefined,
        lastMessage: undefined,
        inFlight: undefined,
        unknownAttempt: undefined
      }))
    case "DispatchFailed":
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: event.retryable ? "retrying" : "failed",
        nextAttemptAt: event.nextAttemptAt,
        lastReason: event.reason,
        lastMessage: event.message,
        requested: undefined,
        inFlight: e.inFlight !== undefined && e.inFlight.attempt > event.attempt ? e.inFlight : undefined,
        unknownAttempt: event.outcomeUnknown === true ? event.attempt : undefined
      }))
    case "DispatchDeadLettered":
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: "dead_lettered",
        nextAttemptAt: undefined,
        lastReason: event.reason,
        lastMessage: event.message,
        requested: undefined,
        inFlight: undefined
      }))
    case "DispatchSkipped":
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: "skipped",
        lastReason: event.reason,
        lastMessage: event.detail,
        requested: undefined,
        inFlight: undefined
      }))
    case "DispatchHeld":
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: "held",
        nextAttemptAt: undefined,
        lastReason: event.cause,
        lastMessage: event.detail,
        requested: undefined,
        inFlight: undefined,
        unknownAttempt: event.attempt
      }))
    case "DispatchImported":
      // Delivered before s2s took over; a plan that comes later keeps it (a conversion is planned once).
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: "succeeded",
        succeededAt: e.succeededAt ?? event.sentAt,
        dedupKey: e.dedupKey ?? event.reference,
        imported: { sentAt: event.sentAt, reference: event.reference }
      }))
    case "DispatchRequested":
      // Without force a success stays final and the request leaves no trace on it. Otherwise the
      // dispatch is planned again (its job runs now, so no next attempt is pending) until the next
      // outcome clears the request: a forced resend after success is sent exactly once.
      if (state.get(dispatchKey(event.targetId, event.kind))?.status === "succeeded" && !event.force) return state
      // An operator request starts a fresh retry budget and horizon: a re-dispatched dead letter
      // gets the full policy again, not its last attempt.
      return update(event.targetId, event.kind, (e) => ({
        ...e,
        status: "planned",
        nextAttemptAt: undefined,
        firstAttemptAt: undefined,
        budgetFrom: e.attempts,
        requested: { force: event.force, reason: event.reason, actor: event.actor }
      }))
    default:
      return state
  }
}

/**
 * A retry job may run before its time: a duplicate or replayed job, or one an operator enqueued
 * without a request. This much earlier than nextAttemptAt still counts as on time (the job runs at
 * its run_at by the database clock, the time was computed by a worker's).
 */
export const ON_TIME_TOLERANCE_MS = 1_000

export type SendDecision =
  | { readonly _tag: "Send" }
  | { readonly _tag: "Nothing" }
  /** A retry that is not due yet (backoff, Retry-After, TOO_RECENT): run again at `at`. */
  | { readonly _tag: "NotYet"; readonly at: Date }
  /**
   * An intent without an outcome, found by a run that holds the lease: its runner died or paused past
   * its lease, and whether the destination got `attempt` is unknown (ambiguity.ts decides what next).
   */
  | { readonly _tag: "Ambiguous"; readonly attempt: number; readonly since: string }

/** Whether a dispatch job should call the destination now. */
export const sendDecision = (entry: DispatchEntry | undefined, now: Date): SendDecision => {
  if (entry === undefined || entry.status === "succeeded") return { _tag: "Nothing" }
  if (entry.inFlight !== undefined)
    return { _tag: "Ambiguous", attempt: entry.inFlight.attempt, since: entry.inFlight.at }
  if (
    entry.status === "failed" ||
    entry.status === "dead_lettered" ||
    entry.status === "skipped" ||
    entry.status === "held"
  )
    return entry.requested === undefined ? { _tag: "Nothing" } : { _tag: "Send" }
  // An operator request clears nextAttemptAt; a retry waits for its time whoever runs the job.
  const next = entry.nextAttemptAt === undefined ? Number.NaN : Date.parse(entry.nextAttemptAt)
  if (entry.status === "retrying" && entry.requested === undefined && next > now.getTime() + ON_TIME_TOLERANCE_MS)
    return { _tag: "NotYet", at: new Date(next) }
  return { _tag: "Send" }
}

export const shouldSend = (entry: DispatchEntry | undefined, now: Date = new Date()): boolean =>
  sendDecision(entry, now)._tag === "Send"
