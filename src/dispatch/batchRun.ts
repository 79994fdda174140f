// A batch of dispatches (the dispatch-batch task's items) run together: each item through the
// dispatcher's own per-item code (Dispatcher.ts `run`), their I/O batched as Requests (batched.ts).
// What is the batch's own: one run per (order, target, kind) however often an item was added while
// it waited; at most DISPATCH_BATCH_ITEMS now, the rest to the next batch of their key; one of the
// target's permits for all of its items (BatchPermits tells `run` it is already held), and a target at
// its limit sends the whole batch back for 1-2 s; an item that failed (our database, mostly) runs
// again as its own job a few seconds on, so graphile-worker never has to fail an item.
import { Cause, type Context, Effect, Either, FiberRef, Option } from "effect"
import type { ConfigState } from "../config/ConfigState.js"
import type { Secrets } from "../config/Secrets.js"
import type { Db } from "../db/Db.js"
import { enqueueJobs } from "../events/store.js"
import { type DispatchJobPayload, dispatchBatchJob, dispatchJob } from "../rules/plan.js"
import type { Breakers } from "./Breakers.js"
import { leaseKey } from "./leases.js"

/** A batch item that failed runs again alone after 2-4 s. */
const FAILED_ITEM_DELAY_MS = 2_000

/** A job whose target has no free permit looks again after 1-2 s (jittered, so waiters spread out). */
export const PERMIT_RECHECK_MS = 1_000

/**
 * Targets whose permit the running batch holds: one request carries many of its dispatches, so the
 * batch takes one of the target's `concurrency` permits for all of its items.
 */
export const BatchPermits = FiberRef.unsafeMake<ReadonlySet<string>>(new Set())

export interface BatchRunDeps {
  /** One dispatch, decided and recorded (Dispatcher.ts). */
  readonly run: (payload: DispatchJobPayload) => Effect.Effect<unknown, unknown, Secrets>
  readonly db: Context.Tag.Service<Db>
  readonly config: Context.Tag.Service<ConfigState>
  readonly breakers: Context.Tag.Service<Breakers>
  readonly random: () => number
  /** The most items one run takes (DISPATCH_BATCH_ITEMS). */
  readonly batchItems: number
  /** DISPATCH_SHARDS: the batch keys per target that requeued items spread over. */
  readonly shards: number
}

/** The batch runner: one result per payload, in order (an item's failure is its own). */
export const makeBatchRun = ({ run, db, config, breakers, random, batchItems, shards }: BatchRunDeps) => {
  // An item's failure (or defect) is its own result; an interruption stops the batch.
  const itemResult = (payload: DispatchJobPayload) =>
    run(payload).pipe(
      Effect.asVoid,
      Effect.either,
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.succeed(Either.left(Cause.squash(cause)) as Either.Either<void, unknown>)
      )
    )

  const runBatch = (payloads: ReadonlyArray<DispatchJobPayload>) =>
    Effect.gen(function* () {
      // One run per (order, target, kind): the batch may hold an item twice (added twice while it waited).
      const first = new Map<string, number>()
      payloads.forEach((p, i) => {
        const key = leaseKey(p.orderKey, p.targetId, p.kind)
        if (!first.has(key)) first.set(key, i)
      })
      const distinct = [...first.values()].map((i) => payloads[i]!)
      const now = distinct.slice(0, batchItems)
      const later = distinct.slice(batchItems)
      // The rest join the next batch of their key (a new job: this one is running).
      if (later.length > 0) yield* requeue(later, undefined)
      const results = new Map<string, Either.Either<void, unknown>>()
      const byTarget = new Map<string, Array<DispatchJobPayload>>()
      for (const p of now) byTarget.set(p.targetId, [...(byTarget.get(p.targetId) ?? []), p])
      const snapshot = yield* config.current
      yield* Effect.forEach(
        byTarget,
        ([targetId, items]) =>
          Effect.gen(function* () {
            const runItems = Effect.forEach(items, itemResult, { concurrency: "unbounded", batching: true })
            const target = snapshot.targets.get(targetId)
            // A removed or disabled target's items are skipped without a request: no permit needed.
            const ran =
              target === undefined || !target.enabled
                ? Option.some(yield* runItems)
                : yield* breakers.withPermit(
                    target,
                    Effect.locally(runItems, BatchPermits, new Set([...(yield* FiberRef.get(BatchPermits)), targetId]))
                  )
            if (Option.isSome(ran)) {
              items.forEach((p, i) => results.set(leaseKey(p.orderKey, p.targetId, p.kind), ran.value[i]!))
              return
            }
            const at = new Date(Date.now() + PERMIT_RECHECK_MS * (1 + random()))
            yield* Effect.logDebug(
              `target ${targetId} is at its concurrency limit; this batch runs again at ${at.toISOString()}`
            )
            const requeued = yield* requeue(items, at).pipe(Effect.either)
            for (const p of items)
              results.set(
                leaseKey(p.orderKey, p.targetId, p.kind),
                Either.map(requeued, () => undefined)
              )
          }),
        { concurrency: "unbounded", discard: true }
      )
      // An item that failed (our database, mostly) runs again as its own job, a few seconds on, rather
      // than failing the batch job's item: graphile-worker fails items with a statement that, when the
      // database is what failed, stops its whole pool. Only if that enqueue fails too is the item failed.
      const failed = now.filter((p) =>
        Either.isLeft(results.get(leaseKey(p.orderKey, p.targetId, p.kind)) ?? Either.void)
      )
      if (failed.length > 0) {
        const at = new Date(Date.now() + FAILED_ITEM_DELAY_MS * (1 + random()))
        const retried = yield* db
          .query("Dispatcher.retryFailed", (sql) =>
            enqueueJobs(
              sql,
              failed.map((p) => dispatchJob(p, at))
            )
          )
          .pipe(Effect.either)
        if (Either.isRight(retried)) {
          yield* Effect.logWarning(
            `${failed.length} dispatches of this batch failed; each runs again alone from ${at.toISOString()}`
          )
          for (const p of failed) results.set(leaseKey(p.orderKey, p.targetId, p.kind), Either.void)
        }
      }
      return payloads.map((p, i) => {
        const key = leaseKey(p.orderKey, p.targetId, p.kind)
        if (first.get(key) !== i) return Either.void
        return results.get(key) ?? Either.void
      })
    }).pipe(
      // Only what comes before the items run can fail the batch (the config, re-enqueueing the rest):
      // every item then fails with it and is retried.
      Effect.catchAll((error) =>
        Effect.succeed(payloads.map(() => Either.left(error) as Either.Either<void, unknown>))
      ),
      Effect.withSpan("Dispatcher.runBatch", { attributes: { items: payloads.length } })
    )

  const requeue = (items: ReadonlyArray<DispatchJobPayload>, at: Date | undefined) =>
    db.query("Dispatcher.requeue", (sql) =>
      enqueueJobs(
        sql,
        items.map((p) => ({ ...dispatchBatchJob(p, shards), runAt: at }))
      )
    )

  return runBatch
}
