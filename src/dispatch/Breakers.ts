// Per-target limits in this worker process: a concurrency cap (target.concurrency, default 8) and the
// circuit breaker (breaker.ts). Two limits keep slow partners from holding every graphile-worker slot
// of the process (the webhooks would wait for normalization meanwhile): one target never runs on more
// than WORKER_CONCURRENCY - 1 slots, whatever its concurrency, and all targets together on at most
// DISPATCH_MAX_RUNNING (default: the slots less a quarter). Opening a circuit is recorded as CircuitOpened on the target's stream
// and alerted once; a successful trial records CircuitClosed.
//
// The cap never blocks: a dispatch that finds every permit of its target taken gets Option.none and
// is rescheduled by the dispatcher, so a slow target cannot hold graphile-worker slots while it waits
// and starve the other targets. Both the breaker and the permits live in memory per process: with
// several worker processes each one counts failures and opens its own circuit (each alerts at most
// once per opening, and CircuitOpened on the target stream shows which), and the cap is per process.
// A process seeds a target's breaker from the target stream the first time it dispatches to it, so a
// restart (or a process that starts while another has the circuit open) does not reopen the flood.
import { Config, Context, Effect, Layer, type Option, Ref } from "effect"
import { Alerting } from "../alerts/Alerting.js"
import { durationMillis, type Target } from "../events/configSchema.js"
import type { FailureReason } from "../events/dispatch.js"
import { EventStore } from "../events/EventStore.js"
import { targetStream } from "../events/streams.js"
import {
  type Admission,
  admit,
  type BreakerSettings,
  type BreakerState,
  closed,
  DEFAULT_BREAKER,
  onFailure,
  onInconclusive,
  onSuccess,
  seedFrom
} from "./breaker.js"
import { timeoutOf } from "./Channel.js"

export const DEFAULT_CONCURRENCY = 8

/**
 * Dispatch jobs (single or batch) that may run at once in this process, over all targets: the worker's
 * slots (WORKER_CONCURRENCY) less a reserve of a quarter for the other stages (normalization first).
 * Below four slots there is no quarter to keep; the per-target limit below still holds.
 */
export const defaultDispatchMaxRunning = (workerConcurrency: number) =>
  Math.max(1, workerConcurrency - Math.floor(workerConcurrency / 4))

export interface DispatchLimits {
  /** Dispatch jobs running at once in the process, all targets together (DISPATCH_MAX_RUNNING). */
  readonly total: number
  /** Dispatch jobs of one target running at once, whatever its `concurrency`: one slot always left. */
  readonly perTarget: number
}

export const DispatchLimitsConfig: Config.Config<DispatchLimits> = Config.all({
  workers: Config.integer("WORKER_CONCURRENCY").pipe(Config.withDefault(16)),
  max: Config.option(Config.integer("DISPATCH_MAX_RUNNING"))
}).pipe(
  Config.map(({ workers, max }) => ({
    total: Math.max(1, max._tag === "Some" ? max.value : defaultDispatchMaxRunning(workers)),
    perTarget: Math.max(1, workers - 1)
  }))
)

export interface BreakersService {
  /** "trial" goes to exactly one caller per cooldown; it must report success, failure or inconclusive. */
  readonly admit: (target: Target) => Effect.Effect<Admission>
  /** Runs the effect under one of the target's permits, or returns none at once when all are taken. */
  readonly withPermit: <A, E, R>(
    target: Target,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<Option.Option<A>, E, R>
  readonly success: (target: Target) => Effect.Effect<void>
  readonly failure: (target: Target, reason: FailureReason) => Effect.Effect<void>
  /** The attempt said nothing about the target (skipped before any request). */
  readonly inconclusive: (target: Target) => Effect.Effect<void>
}

export class Breakers extends Context.Tag("app/dispatch/Breakers")<Breakers, BreakersService>() {}

export const settingsOf = (target: Target): BreakerSettings => ({
  failures: target.breaker?.failures ?? DEFAULT_BREAKER.failures,
  cooldownMs: target.breaker?.cooldown ? durationMillis(target.breaker.cooldown) : DEFAULT_BREAKER.cooldownMs,
  trialTimeoutMs: 2 * timeoutOf(target) + 60_000
})

export const BreakersLive = Layer.effect(
  Breakers,
  Effect.gen(function* () {
    const store = yield* EventStore
    const alerting = yield* Alerting
    const states = yield* Ref.make(new Map<string, BreakerState>())
    const limits = yield* DispatchLimitsConfig
    // Taken and given back synchronously, so check-and-take is atomic on the event loop.
    const inFlight = new Map<string, number>()
    let running = 0
    const tryTake = (target: Target) =>
      Effect.sync(() => {
        const taken = inFlight.get(target.id) ?? 0
        const cap = Math.min(target.concurrency ?? DEFAULT_CONCURRENCY, limits.perTarget)
        if (taken >= cap || running >= limits.total) return false
        inFlight.set(target.id, taken + 1)
        running += 1
        return true
      })
    const giveBack = (target: Target) =>
      Effect.sync(() => {
        inFlight.set(target.id, Math.max(0, (inFlight.get(target.id) ?? 1) - 1))
        running = Math.max(0, running - 1)
      })

    // Seeded once per target and process; a failed read leaves it closed and is tried again next time.
    const seeded = new Set<string>()
    const seed = (target: Target) =>
      seeded.has(target.id)
        ? Effect.void
        : store.readStream(targetStream(target.id)).pipe(
            Effect.flatMap((events) => {
              seeded.add(target.id)
              const circuit = events.flatMap((e) =>
                e.event._tag === "CircuitOpened" || e.event._tag === "CircuitClosed" ? [e.event] : []
              )
              const state = seedFrom(circuit, Date.now())
              return Ref.update(states, (m) => (m.has(target.id) ? m : new Map(m).set(target.id, state)))
            }),
            Effect.catchAll((error) => Effect.logWarning(`could not read the circuit state of ${target.id}`, error))
          )

    const update = <A>(target: Target, f: (state: BreakerState) => readonly [A, BreakerState]) =>
      Ref.modify(states, (m) => {
        const [a, state] = f(m.get(target.id) ?? closed)
        return [a, new Map(m).set(target.id, state)] as const
      })

    const recordTransition = (target: Target, state: BreakerState, transition: "opened" | "closed") => {
      const events =
        transition === "opened" && state._tag === "Open"
          ? [
              {
                _tag: "CircuitOpened" as const,
                targetId: target.id,
                consecutiveFailures: state.consecutive,
                lastReason: state.lastReason,
                until: new Date(state.until).toISOString()
              }
            ]
          : [{ _tag: "CircuitClosed" as const, targetId: target.id }]
      return alerting.raise({ events, now: new Date() }).pipe(
        Effect.flatMap((alerts) =>
          store.appendMany([{ streamId: targetStream(target.id), expectedVersion: "any", events }, ...alerts.appends], {
            metadata: { actor: "worker" },
            jobs: alerts.jobs
          })
        ),
        Effect.tap(() =>
          transition === "opened"
            ? Effect.logWarning(`target ${target.id}: circuit opened after ${state.consecutive} failures`)
            : Effect.logInfo(`target ${target.id}: circuit closed`)
        ),
        Effect.catchAll((error) => Effect.logError(`could not record the circuit ${transition} of ${target.id}`, error))
      )
    }

    return Breakers.of({
      admit: (target) =>
        seed(target).pipe(
          Effect.zipRight(
            update(target, (state) => {
              const r = admit(state, Date.now(), settingsOf(target))
              return [r.admission, r.state] as const
            })
          )
        ),
      withPermit: (target, effect) =>
        Effect.acquireUseRelease(
          tryTake(target),
          (taken) => (taken ? Effect.asSome(effect) : Effect.succeedNone),
          (taken) => (taken ? giveBack(target) : Effect.void)
        ),
      success: (target) =>
        Effect.gen(function* () {
          const result = yield* update(target, (state) => {
            const r = onSuccess(state)
            return [r, r.state] as const
          })
          if (result.transition === "closed") yield* recordTransition(target, result.state, "closed")
        }),
      failure: (target, reason) =>
        Effect.gen(function* () {
          const result = yield* update(target, (state) => {
            const r = onFailure(state, reason, settingsOf(target), Date.now())
            return [r, r.state] as const
          })
          if (result.transition === "opened") yield* recordTransition(target, result.state, "opened")
        }),
      inconclusive: (target) => update(target, (state) => [undefined, onInconclusive(state)] as const)
    })
  })
)
