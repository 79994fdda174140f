// The dispatch job: one (order, target, kind). Consumes the order's stream and the target's config;
// calls the channel adapter (under the target's concurrency limit and circuit breaker, with a
// timeout that starts once the permit is taken); records DispatchAttempted with the exchange, then
// DispatchSucceeded / DispatchSkipped / DispatchFailed (with the next attempt, enqueued in the same
// transaction) / DispatchDeadLettered / DispatchHeld. Idempotent: the stream is checked first, so a
// success is never sent twice by retries, replays or duplicate jobs, and a retry never goes out
// before its time. Before each request a DispatchAttemptStarted intent is claimed (intents.ts): of
// two runs deciding the same attempt only one sends, and an intent found without an outcome is an
// ambiguous attempt, resent only where the destination deduplicates (ambiguity.ts), else held. A
// job that cannot run now (target at its concurrency cap, circuit open, a retry not due) re-enqueues
// itself for later and returns, so it never holds a worker slot while it waits. Failures of our own
// (database) make the job fail and graphile-worker retry it; an outcome already known is first
// re-recorded in place for a while, so a short outage does not turn it into an ambiguous attempt.
// Batches (runBatch, the dispatch-batch task; batchRun.ts): the items run together through this same
// per-item code, their I/O batched as Requests (batched.ts): one statement per step for all of them
// and one sendMany per target; a batch takes one of its target's permits for all of its items.
import { Config, Context, Effect, Either, FiberRef, Layer, Option } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import type { Secrets } from "../config/Secrets.js"
import type { ConfigSnapshot } from "../config/state.js"
import { configuredUrlParameters } from "../config/urlPrivacy.js"
import { type DispatchEntry, type DispatchState, dispatchKey, sendDecision } from "../conversion/dispatch.js"
import { foldConversion } from "../conversion/stream.js"
import { Db, type DbError } from "../db/Db.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { Target } from "../events/configSchema.js"
import { EventStore } from "../events/EventStore.js"
import { orderStream } from "../events/streams.js"
import { CurrentWorkerPool } from "../jobs/WorkerStatus.js"
import { dispatchAmbiguousTotal, dispatchesTotal } from "../lib/metrics.js"
import { DISPATCH_BATCH_ITEMS, type DispatchJobPayload, DispatchShards } from "../rules/plan.js"
import { onUnknownOutcome } from "./ambiguity.js"
import { Breakers } from "./Breakers.js"
import { makeBatchedIo } from "./batched.js"
import { BatchPermits, makeBatchRun, PERMIT_RECHECK_MS } from "./batchRun.js"
import type { Admission } from "./breaker.js"
import {
  type ChannelAdapter,
  type ChannelError,
  type ChannelResult,
  Channels,
  DEFAULT_TIMEOUT_MS,
  timeoutOf
} from "./Channel.js"
import { type Intent, intentEventId, outcomeEventIds } from "./intents.js"
import { makeLeaseLife } from "./leaseLife.js"
import { leaseKey } from "./leases.js"
import { attemptRecord } from "./outcome.js"
import { CurrentLease, makeRecorder } from "./recorder.js"
import { decideRetry, policyFor, retryAnchor } from "./retry.js"

export interface DispatcherService {
  readonly run: (payload: DispatchJobPayload) => Effect.Effect<void, DbError, Secrets>
  /**
   * Many dispatches at once (a batch job's items): each decided and recorded exactly as `run` does,
   * their statements and channel requests batched (batched.ts). One result per payload, in order:
   * an item's failure is its own (its job retries that item only).
   */
  readonly runBatch: (
    payloads: ReadonlyArray<DispatchJobPayload>
  ) => Effect.Effect<ReadonlyArray<Either.Either<void, unknown>>, never, Secrets>
}

export class Dispatcher extends Context.Tag("app/dispatch/Dispatcher")<Dispatcher, DispatcherService>() {}

/**
 * The guard around a whole adapter call: the target's timeout plus this grace (at most the timeout
 * itself), so the adapter's own timeout, which records the request it made, normally fires first.
 */
const GUARD_GRACE_MS = 5_000
export const guardOf = (target: Target) => timeoutOf(target) + Math.min(GUARD_GRACE_MS, timeoutOf(target))

/** The most dispatches one batch job runs at once; the rest go to the next batch of their key. */
export const DispatchBatchItems = Config.integer("DISPATCH_BATCH_ITEMS").pipe(Config.withDefault(DISPATCH_BATCH_ITEMS))

/** The configured click-id parameters kept in URLs sent to partners, computed once per snapshot. */
const urlParameterCache = new WeakMap<ConfigSnapshot, ReadonlySet<string>>()
const urlParametersOf = (snapshot: ConfigSnapshot): ReadonlySet<string> => {
  let set = urlParameterCache.get(snapshot)
  if (set === undefined) {
    set = configuredUrlParameters({
      sources: snapshot.sources.values(),
      partners: snapshot.partners,
      targets: snapshot.targets.values()
    })
    urlParameterCache.set(snapshot, set)
  }
  return set
}

export const DispatcherLive = Layer.effect(
  Dispatcher,
  Effect.gen(function* () {
    const db = yield* Db
    const config = yield* ConfigState
    const channels = yield* Channels
    const breakers = yield* Breakers
    const random = yield* Config.succeed(Math.random)
    const batchItems = yield* DispatchBatchItems
    const shards = yield* DispatchShards

    const store = yield* EventStore
    const io = yield* makeBatchedIo
    const { record, claim, hold, skip } = yield* makeRecorder(io)
    const leaseLife = makeLeaseLife(db, io)

    // One job at a time per (order, target, kind), across processes: the lease is taken before the
    // order's stream is read, so a concurrent job for the same dispatch (an operator re-dispatch while
    // a retry runs) comes back later and then finds the outcome on the stream.
    const run = (payload: DispatchJobPayload) =>
      Effect.gen(function* () {
        const key = leaseKey(payload.orderKey, payload.targetId, payload.kind)
        const target = (yield* config.current).targets.get(payload.targetId)
        const ttl = (target ? guardOf(target) : 2 * DEFAULT_TIMEOUT_MS) + 60_000
        const pool = yield* FiberRef.get(CurrentWorkerPool)
        const lease = yield* leaseLife.take(key, ttl, pool)
        if (lease === undefined) {
          yield* Effect.logInfo("this dispatch is being sent by another job; checking again in 30 s")
          return yield* record(payload.orderKey, [], undefined, { payload, at: new Date(Date.now() + 30_000) })
        }
        // Normally released with the outcome's commit; releaseLeftover covers the paths that record nothing.
        yield* Effect.ensuring(
          Effect.locally(decideAndSend(payload), CurrentLease, lease),
          leaseLife.releaseLeftover(lease)
        )
      }).pipe(Effect.annotateLogs({ orderKey: payload.orderKey, target: payload.targetId, kind: payload.kind }))

    const decideAndSend = (payload: DispatchJobPayload) =>
      Effect.gen(function* () {
        const { orderKey, targetId, kind } = payload
        const stream = orderStream(orderKey)
        const events = yield* io.readStream(stream).pipe(Effect.orElse(() => store.readStream(stream)))
        const { order: state, dispatch } = foldConversion(events)
        const entry = dispatch.get(dispatchKey(targetId, kind))
        const decision = sendDecision(entry, new Date())
        if (decision._tag === "Nothing" || entry === undefined) {
          yield* Effect.logDebug(
            `nothing to send for ${orderKey} -> ${targetId} (${kind}): ${entry?.status ?? "not planned"}`
          )
          return
        }
        if (decision._tag === "NotYet") {
          // A stray job (duplicate, replay) ahead of the retry's time: backoff and Retry-After hold.
          yield* Effect.logInfo(`the next attempt is due at ${decision.at.toISOString()}; running again then`)
          return yield* record(orderKey, [], state.order, { payload, at: decision.at })
        }
        const order = state.order
        const snapshot = yield* config.current
        const target = snapshot.targets.get(targetId)
        if (order === undefined)
          return yield* Effect.dieMessage(`order ${orderKey} has no details but a dispatch was planned`)
        if (target === undefined)
          return yield* skip(payload, "target_removed", `target ${targetId} is no longer configured`, order)
        if (!target.enabled) return yield* skip(payload, "target_disabled", `target ${targetId} is disabled`, order)
        if (kind === "conversion" && (state.status === "refunded" || state.status === "cancelled"))
          return yield* skip(
            payload,
            "order_withdrawn",
            `the order was ${state.status} before the conversion was sent`,
            order
          )
        if (kind !== "conversion") {
          const conversion = dispatch.get(dispatchKey(targetId, "conversion"))
          if (conversion?.status !== "succeeded") {
            if (conversion !== undefined && (conversion.status === "planned" || conversion.status === "retrying")) {
              // The adjustment waits for its conversion.
              const at = new Date(
                Math.max(Date.now() + 60_000, Date.parse(conversion.nextAttemptAt ?? "") + 60_000 || 0)
              )
              return yield* record(orderKey, [], order, { payload, at })
            }
            return yield* skip(
              payload,
              "not_dispatched",
              conversion?.status === "held"
                ? "the conversion is held (whether the partner got it is unknown); re-dispatch this adjustment once it is resolved"
                : "the conversion was never delivered, so there is nothing to adjust",
              order
            )
          }
        }
        const adapter = channels.get(target.channel)
        if (adapter === undefined) return yield* Effect.dieMessage(`no adapter for channel ${target.channel}`)
        if (!adapter.supports.includes(kind))
          return yield* skip(payload, "unsupported", `${target.channel} does not support ${kind}`, order)

        // Sending again what may have arrived: only where the destination deduplicates it, or the
        // target says so; else held for an operator (ambiguity.ts).
        let resendOf = entry.unknownAttempt
        if (decision._tag === "Ambiguous") {
          const verdict = onUnknownOutcome(target, adapter, new Date(decision.since), new Date())
          if (verdict._tag === "Hold")
            return yield* hold(payload, target.channel, decision.attempt, verdict.because, order)
          resendOf = decision.attempt
        }
        // An operator's send of a held dispatch is theirs to count; counted once the resend's intent
        // is claimed (attempt), not when a target at its limit defers it.
        const resolution: "operator" | "resend" =
          decision._tag !== "Ambiguous" && entry.requested !== undefined ? "operator" : "resend"
        const resend = resendOf === undefined ? undefined : { of: resendOf, resolution }

        const underPermit = (yield* FiberRef.get(BatchPermits)).has(target.id)
          ? <A, E, R>(_: Target, effect: Effect.Effect<A, E, R>) => Effect.asSome(effect)
          : breakers.withPermit
        const ran = yield* underPermit(
          target,
          Effect.gen(function* () {
            // Admitted under the permit, so the trial of an open circuit is never left waiting for one.
            const admission = yield* breakers.admit(target)
            if (typeof admission === "object") {
              yield* Effect.logInfo(
                `target ${targetId} is paused (circuit open) until ${new Date(admission.until).toISOString()}`
              )
              return yield* record(orderKey, [], order, { payload, at: new Date(admission.until) })
            }
            yield* attempt(payload, target, adapter, entry, order, dispatch, admission, resend)
          })
        )
        if (Option.isNone(ran)) {
          const at = new Date(Date.now() + PERMIT_RECHECK_MS * (1 + random()))
          yield* Effect.logDebug(`target ${targetId} is at its concurrency limit; running again at ${at.toISOString()}`)
          return yield* record(orderKey, [], order, { payload, at })
        }
      }).pipe(Effect.annotateLogs({ orderKey: payload.orderKey, target: payload.targetId, kind: payload.kind }))

    const attempt = (
      payload: DispatchJobPayload,
      target: Target,
      adapter: ChannelAdapter,
      entry: DispatchEntry,
      order: CanonicalOrder,
      dispatch: DispatchState,
      admission: Exclude<Admission, { readonly until: number }>,
      resend: { readonly of: number; readonly resolution: "resend" | "operator" } | undefined
    ) =>
      Effect.gen(function* () {
        const { orderKey, targetId, kind } = payload
        const attemptNo = entry.attempts + 1
        const now = new Date()
        const guardMs = guardOf(target)
        const conversion = dispatch.get(dispatchKey(targetId, "conversion"))
        const lease = yield* FiberRef.get(CurrentLease)
        const intent: Intent = {
          ...payload,
          attempt: attemptNo,
          channel: target.channel,
          runner: lease?.holder ?? "unleased",
          resendOf: resend?.of
        }
        if (!(yield* claim(intent))) {
          // Another run (one whose lease ran out while it was paused) recorded this attempt first and
          // sends it. Look again once it must have recorded its outcome: if it never does, that run
          // is gone and the attempt is ambiguous.
          yield* breakers.inconclusive(target)
          yield* Effect.logWarning(`attempt ${attemptNo} is being sent by another run; not sending it here`)
          return yield* record(orderKey, [], order, { payload, at: new Date(Date.now() + guardMs + 60_000) })
        }
        if (resend !== undefined) dispatchAmbiguousTotal.inc({ channel: target.channel, resolution: resend.resolution })
        const verdict = onUnknownOutcome(target, adapter, now, now)
        // Called under the permit: the clock and the guard start here, not while waiting for it.
        const started = performance.now()
        const outcome: Either.Either<ChannelResult, ChannelError> = yield* io.send(
          adapter,
          {
            order,
            target,
            kind,
            valueMinor: entry.valueMinor,
            attempt: attemptNo,
            now,
            conversionSentAt: conversion?.succeededAt ? new Date(conversion.succeededAt) : undefined,
            urlParameters: urlParametersOf(yield* config.current)
          },
          guardMs
        )
        const durationMs = Math.round(performance.now() - started)
        const recorded = attemptRecord(
          {
            orderKey,
            targetId,
            kind,
            channel: target.channel,
            attempt: attemptNo,
            durationMs,
            trigger: entry.requested ? "operator" : attemptNo > 1 ? "retry" : "scheduled",
            resendOf: resend?.of,
            holdUnknown: verdict._tag === "Hold" ? verdict.because : undefined
          },
          outcome,
          (error) =>
            decideRetry(
              error,
              policyFor(target),
              attemptNo - (entry.budgetFrom ?? 0),
              retryAnchor(target.channel, order, new Date(entry.firstAttemptAt ?? now.toISOString())),
              // Retry-After counts from the answer, not from when the request was started.
              new Date(),
              random()
            )
        )
        if (Either.isLeft(outcome)) yield* breakers.failure(target, outcome.left.reason)
        else if (outcome.right._tag === "Delivered") yield* breakers.success(target)
        // A skip says nothing about the target: a trial it held goes to the next dispatch.
        else yield* breakers.inconclusive(target)
        if (admission === "trial") yield* Effect.logInfo(`target ${targetId}: trial dispatch ${recorded.outcome}`)
        dispatchesTotal.inc({ channel: target.channel, outcome: recorded.outcome })
        if (recorded.outcome === "held") dispatchAmbiguousTotal.inc({ channel: target.channel, resolution: "hold" })
        yield* record(
          orderKey,
          recorded.events,
          order,
          recorded.retryAt ? { payload, at: recorded.retryAt } : undefined,
          outcomeEventIds(intentEventId(intent), recorded.events.length)
        )
      })

    const runBatch = makeBatchRun({ run, db, config, breakers, random, batchItems, shards })

    return Dispatcher.of({
      run: (payload) => run(payload).pipe(Effect.asVoid, Effect.withSpan("Dispatcher.run")),
      runBatch
    })
  })
)
