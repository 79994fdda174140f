// Per-target limits in this worker process: a concurrency cap (target.concurrency, default 8) and the
// circuit breaker (breaker.ts). Opening a circuit is recorded as CircuitOpened on the target's stream
// and alerted once; a successful trial records CircuitClosed.
import { Context, Effect, Layer, Ref } from "effect"
import { durationMillis, type Target } from "../config/schema.js"
import type { FailureReason } from "../events/dispatch.js"
import { EventStore } from "../events/EventStore.js"
import { targetStream } from "../events/streams.js"
import { Alerting } from "../lib/alerting.js"
import { admit, type BreakerState, closed, DEFAULT_BREAKER, onFailure, onSuccess } from "./breaker.js"

export interface BreakersService {
  readonly admit: (target: Target) => Effect.Effect<"run" | "trial" | { readonly until: number }>
  readonly withPermit: <A, E, R>(target: Target, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly success: (target: Target) => Effect.Effect<void>
  readonly failure: (target: Target, reason: FailureReason) => Effect.Effect<void>
}

export class Breakers extends Context.Tag("app/dispatch/Breakers")<Breakers, BreakersService>() {}

const settingsOf = (target: Target) => ({
  failures: target.breaker?.failures ?? DEFAULT_BREAKER.failures,
  cooldownMs: target.breaker?.cooldown ? durationMillis(target.breaker.cooldown) : DEFAULT_BREAKER.cooldownMs
})

export const BreakersLive = Layer.effect(
  Breakers,
  Effect.gen(function* () {
    const store = yield* EventStore
    const alerting = yield* Alerting
    const states = yield* Ref.make(new Map<string, BreakerState>())
    const semaphores = new Map<string, { size: number; semaphore: Effect.Semaphore }>()

    const semaphoreFor = (target: Target) => {
      const size = target.concurrency ?? 8
      const existing = semaphores.get(target.id)
      if (existing && existing.size === size) return existing.semaphore
      const semaphore = Effect.unsafeMakeSemaphore(size)
      semaphores.set(target.id, { size, semaphore })
      return semaphore
    }

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
      admit: (target) => Effect.map(Ref.get(states), (m) => admit(m.get(target.id) ?? closed, Date.now())),
      withPermit: (target, effect) => semaphoreFor(target).withPermits(1)(effect),
      success: (target) =>
        Effect.gen(function* () {
          const result = yield* Ref.modify(states, (m) => {
            const r = onSuccess(m.get(target.id) ?? closed)
            const next = new Map(m)
            next.set(target.id, r.state)
            return [r, next] as const
          })
          if (result.transition === "closed") yield* recordTransition(target, result.state, "closed")
        }),
      failure: (target, reason) =>
        Effect.gen(function* () {
          const result = yield* Ref.modify(states, (m) => {
            const r = onFailure(m.get(target.id) ?? closed, reason, settingsOf(target), Date.now())
            const next = new Map(m)
            next.set(target.id, r.state)
            return [r, next] as const
          })
          if (result.transition === "opened") yield* recordTransition(target, result.state, "opened")
        })
    })
  })
)
