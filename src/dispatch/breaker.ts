// Per-target circuit breaker. A target that fails for every order (bad credentials, an outage) would
// otherwise keep every worker busy retrying it; after `failures` consecutive target-level failures
// the target is paused for `cooldown`. After the cooldown exactly one dispatch is handed the trial
// (HalfOpen, trial in flight): its success closes the circuit, its target-level failure opens it for
// another cooldown; every other dispatch waits meanwhile. With bad credentials a cooldown therefore
// costs one order's attempt, not one per worker slot.
// Only failures that say something about the target count (transport, timeouts, 5xx, 429,
// unauthorized); an order the target rejects says nothing about the others. Pure state machine.
import type { FailureReason } from "../events/dispatch.js"

export interface BreakerSettings {
  readonly failures: number
  readonly cooldownMs: number
  /**
   * How long a trial may stay unanswered before another dispatch gets it (the trial's job died
   * between admission and outcome). Longer than any attempt can take.
   */
  readonly trialTimeoutMs: number
}

export const DEFAULT_BREAKER: Omit<BreakerSettings, "trialTimeoutMs"> = { failures: 10, cooldownMs: 5 * 60_000 }

/** While a trial is in flight, the others look again this soon (or at the end of the cooldown, if shorter). */
export const HALF_OPEN_RECHECK_MS = 30_000

export type BreakerState =
  | { readonly _tag: "Closed"; readonly consecutive: number }
  | { readonly _tag: "Open"; readonly until: number; readonly consecutive: number; readonly lastReason: string }
  | {
      readonly _tag: "HalfOpen"
      /** A dispatch holds the trial since `trialSince`; false: the next dispatch takes it. */
      readonly trialInFlight: boolean
      readonly trialSince: number
      readonly consecutive: number
      readonly lastReason: string
    }

export const closed: BreakerState = { _tag: "Closed", consecutive: 0 }

const TARGET_LEVEL: ReadonlySet<FailureReason> = new Set([
  "Transport",
  "Timeout",
  "ServerError",
  "RateLimited",
  "Unauthorized"
])

export const countsAgainstTarget = (reason: FailureReason) => TARGET_LEVEL.has(reason)

export type Admission = "run" | "trial" | { readonly until: number }

/**
 * May a dispatch to this target run now? Returns the decision and the state after it: handing out
 * the trial is a state change, so the caller must apply both atomically (Ref.modify) for exactly one
 * caller to get it.
 */
export const admit = (
  state: BreakerState,
  now: number,
  settings: BreakerSettings
): { readonly admission: Admission; readonly state: BreakerState } => {
  const trial = (s: { consecutive: number; lastReason: string }) => ({
    admission: "trial" as const,
    state: {
      _tag: "HalfOpen" as const,
      trialInFlight: true,
      trialSince: now,
      consecutive: s.consecutive,
      lastReason: s.lastReason
    }
  })
  switch (state._tag) {
    case "Closed":
      return { admission: "run", state }
    case "Open":
      return now >= state.until ? trial(state) : { admission: { until: state.until }, state }
    case "HalfOpen":
      if (!state.trialInFlight || now >= state.trialSince + settings.trialTimeoutMs) return trial(state)
      return {
        admission: {
          until: Math.min(
            now + Math.min(HALF_OPEN_RECHECK_MS, settings.cooldownMs),
            state.trialSince + settings.trialTimeoutMs
          )
        },
        state
      }
  }
}

/**
 * The state a process starts from, given the target stream's circuit events: a circuit another
 * process (or this one before a restart) opened stays open until its `until`. A closed one, or an
 * opening whose cooldown is over, starts closed (the next failures open it again).
 */
export const seedFrom = (
  events: ReadonlyArray<
    | {
        readonly _tag: "CircuitOpened"
        readonly until: string
        readonly consecutiveFailures: number
        readonly lastReason: string
      }
    | { readonly _tag: "CircuitClosed" }
  >,
  now: number
): BreakerState => {
  const last = events.at(-1)
  if (last?._tag !== "CircuitOpened") return closed
  const until = Date.parse(last.until)
  return until > now
    ? { _tag: "Open", until, consecutive: last.consecutiveFailures, lastReason: last.lastReason }
    : closed
}

export type Transition = "opened" | "closed" | "reopened" | undefined

export const onSuccess = (state: BreakerState): { state: BreakerState; transition: Transition } => ({
  state: closed,
  transition: state._tag === "Closed" ? undefined : "closed"
})

/** An attempt that says nothing about the target (a skip before any request): a trial is handed back. */
export const onInconclusive = (state: BreakerState): BreakerState =>
  state._tag === "HalfOpen" ? { ...state, trialInFlight: false } : state

export const onFailure = (
  state: BreakerState,
  reason: FailureReason,
  settings: Pick<BreakerSettings, "failures" | "cooldownMs">,
  now: number
): { state: BreakerState; transition: Transition } => {
  if (!countsAgainstTarget(reason)) return { state: onInconclusive(state), transition: undefined }
  const consecutive = state.consecutive + 1
  const open: BreakerState = { _tag: "Open", until: now + settings.cooldownMs, consecutive, lastReason: reason }
  // A failed trial (or a late failure of a dispatch admitted before the circuit opened): pause
  // again, without a second alert.
  if (state._tag !== "Closed") return { state: open, transition: "reopened" }
  if (consecutive >= settings.failures) return { state: open, transition: "opened" }
  return { state: { _tag: "Closed", consecutive }, transition: undefined }
}
