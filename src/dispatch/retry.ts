// When to try again. Exponential backoff with jitter, never sooner than the destination asked
// (Retry-After) or can succeed (Google's TOO_RECENT_EVENT), within a horizon and an attempt budget
// per target; defaults fit each destination. Pure: time and randomness are passed in.

import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import { durationMillis, type Target } from "../events/configSchema.js"
import type { ChannelError } from "./Channel.js"

export interface RetryPolicy {
  readonly horizonMs: number
  readonly maxAttempts: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

/**
 * Defaults per channel, each horizon counted from its anchor (retryAnchor). Meta refuses events whose
 * event_time is more than 7 days old (the adapter dead-letters those on its own), so retrying past
 * event time + 7 days is pointless; Google accepts click conversions within the conversion action's
 * click-through window, at most 90 days after the click (TOO_RECENT_EVENT needs at least 6 h);
 * affiliate networks commonly stop crediting a few days after the sale.
 */
export const DEFAULT_POLICIES: Record<Target["channel"], RetryPolicy> = {
  "meta-capi": { horizonMs: 7 * DAY, maxAttempts: 20, initialDelayMs: 30_000, maxDelayMs: 6 * HOUR },
  "google-ads": { horizonMs: 90 * DAY, maxAttempts: 25, initialDelayMs: 60_000, maxDelayMs: 12 * HOUR },
  postback: { horizonMs: 3 * DAY, maxAttempts: 15, initialDelayMs: 30_000, maxDelayMs: 6 * HOUR }
}

export const policyFor = (target: Target): RetryPolicy => {
  const base = DEFAULT_POLICIES[target.channel]
  const r = target.retry
  return {
    horizonMs: r?.horizon ? durationMillis(r.horizon) : base.horizonMs,
    maxAttempts: r?.maxAttempts ?? base.maxAttempts,
    initialDelayMs: r?.initialDelay ? durationMillis(r.initialDelay) : base.initialDelayMs,
    maxDelayMs: r?.maxDelay ? durationMillis(r.maxDelay) : base.maxDelayMs
  }
}

const parsed = (iso: string | undefined) => {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso)
  return Number.isNaN(ms) ? undefined : new Date(ms)
}

/**
 * Where the horizon starts. google-ads: the order's placement (the click came before it, so placedAt
 * + click window is the latest the upload can still count); meta-capi: the event time Meta judges
 * (paidAt, else placedAt); postback: the first attempt (an operator re-dispatch starts a fresh one).
 * An order without a parsable time falls back to the first attempt.
 */
export const retryAnchor = (
  channel: Target["channel"],
  order: Pick<CanonicalOrder, "placedAt" | "paidAt">,
  firstAttemptAt: Date
): Date => {
  switch (channel) {
    case "google-ads":
      return parsed(order.placedAt) ?? firstAttemptAt
    case "meta-capi":
      return parsed(order.paidAt) ?? parsed(order.placedAt) ?? firstAttemptAt
    case "postback":
      return firstAttemptAt
  }
}

/** Why a dispatch was given up: its attempt budget, its retry horizon, or the destination's time window. */
export type DeadLetterCause = "attempts" | "horizon" | "window"

export type RetryDecision =
  | { readonly _tag: "Retry"; readonly at: Date }
  | { readonly _tag: "DeadLetter"; readonly reason: string; readonly cause: DeadLetterCause }
  | { readonly _tag: "Stop" }

/**
 * attempt: the attempt that just failed (1-based); anchor: where the horizon starts (retryAnchor).
 * random: a number in [0, 1) for the ±20 % jitter.
 */
export const decideRetry = (
  error: Pick<ChannelError, "retryable" | "reason" | "retryAfterMs" | "retryAt">,
  policy: RetryPolicy,
  attempt: number,
  anchor: Date,
  now: Date,
  random: number
): RetryDecision => {
  if (error.reason === "Expired")
    return { _tag: "DeadLetter", reason: "past the destination's time window", cause: "window" }
  if (!error.retryable) return { _tag: "Stop" }
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1))
  const jittered = exponential * (0.8 + 0.4 * random)
  const earliest = Math.max(
    now.getTime() + jittered,
    now.getTime() + (error.retryAfterMs ?? 0),
    error.retryAt?.getTime() ?? 0
  )
  const deadline = anchor.getTime() + policy.horizonMs
  if (attempt >= policy.maxAttempts)
    return { _tag: "DeadLetter", reason: `all ${attempt} attempts the retry policy allows failed`, cause: "attempts" }
  if (earliest > deadline)
    return {
      _tag: "DeadLetter",
      reason: `the next attempt would fall after the retry horizon (${Math.round(policy.horizonMs / HOUR)} h)`,
      cause: "horizon"
    }
  return { _tag: "Retry", at: new Date(earliest) }
}
