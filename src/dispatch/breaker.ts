// Per-target circuit breaker. A target that fails for every order (bad credentials, an outage) would
// otherwise keep every worker busy retrying it; after `failures` consecutive target-level failures
// the target is paused for `cooldown`, then one trial dispatch decides whether to close it again.
// Only failures that say something about the target count (transport, timeouts, 5xx, 429,
// unauthorized); an order the target rejects says nothing about the others. Pure state machine.
import type { FailureReason } from "../events/dispatch.js"

export interface BreakerSettings {
  readonly failures: number
  readonly cooldownMs: number
}

export const DEFAULT_BREAKER: BreakerSettings = { failures: 10, cooldownMs: 5 * 60_000 }

export type BreakerState =
  | { readonly _tag: "Closed"; readonly consecutive: number }
  | { readonly _tag: "Open"; readonly until: number; readonly consecutive: number; readonly lastReason: string }

export const closed: BreakerState = { _tag: "Closed", consecutive: 0 }

const TARGET_LEVEL: ReadonlySet<FailureReason> = new Set([
  "Transport",
  "Timeout",
  "ServerError",
  "RateLimited",
  "Unauthorized"
])

export const countsAgainstTarget = (reason: FailureReason) => TARGET_LEVEL.has(reason)

/** May a dispatch to this target run now? "trial" = the cooldown is over; this one decides. */
export const admit = (state: BreakerState, now: number): "run" | "trial" | { readonly until: number } =>
  state._tag === "Closed" ? "run" : now >= state.until ? "trial" : { until: state.until }

export type Transition = "opened" | "closed" | "reopened" | undefined

export const onSuccess = (state: BreakerState): { state: BreakerState; transition: Transition } => ({
  state: closed,
  transition: state._tag === "Open" ? "closed" : undefined
})

export const onFailure = (
  state: BreakerState,
  reason: FailureReason,
  settings: BreakerSettings,
  now: number
): { state: BreakerState; transition: Transition } => {
  if (!countsAgainstTarget(reason)) return { state, transition: undefined }
  const consecutive = state.consecutive + 1
  if (state._tag === "Open")
    // A failed trial: pause again, without a second alert.
    return {
      state: { _tag: "Open", until: now + settings.cooldownMs, consecutive, lastReason: reason },
      transition: "reopened"
    }
  if (consecutive >= settings.failures)
    return {
      state: { _tag: "Open", until: now + settings.cooldownMs, consecutive, lastReason: reason },
      transition: "opened"
    }
  return { state: { _tag: "Closed", consecutive }, transition: undefined }
}
