// A batch of webhooks normalized together (the normalize-batch task): each webhook decides what it
// would alone (decision.ts), but the batch makes one statement per step for all of them:
//   the webhook streams   one SELECT (EventStore.readStreams)
//   the order streams     one SELECT, for the Observed webhooks
//   the records           one append: every webhook's order events, plan, marker or failure, alerts,
//                         and every job they enqueue (dispatch batch items merge in s2s_enqueue)
// A webhook that needs the billing-alias table (an alias to look up or to declare), or whose order
// another webhook of the batch already decides, runs on the single path (Normalizer.run) after the
// batch's append, so it sees what the batch appended. If any step of the batch fails (a conflict on a
// stream a concurrent job moved, a statement that fails), every webhook of the batch takes the single
// path, with its own read, its own append and its retry on WrongExpectedVersion: one webhook never
// decides another's fate. A webhook whose single path fails too runs again as its own normalize job a
// few seconds on; only if that enqueue fails is the item failed (graphile-worker keeps it in the job).
import { Cause, type Context, Effect, Either } from "effect"
import type { Alerting } from "../alerts/Alerting.js"
import type { ConfigState } from "../config/ConfigState.js"
import type { Db, DbError } from "../db/Db.js"
import type { EventStore, RecordedEvent } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { enqueueJobs, type Job } from "../events/store.js"
import { orderStream, webhookStream } from "../events/streams.js"
import { type NormalizeJobPayload, normalizeBatchJob, normalizeJob } from "../jobs/normalizeJobs.js"
import { distinctJobKeys } from "../jobs/queue.js"
import {
  countFailure,
  decideOrder,
  type Examined,
  examine,
  orderWrites,
  verdictWrites,
  type Writes
} from "./decision.js"

/** A batch item that failed on the single path too runs again alone after 2-4 s. */
const FAILED_ITEM_DELAY_MS = 2_000

/**
 * Webhooks decided between two turns of the event loop. Deciding is synchronous work (parsing,
 * folding, encoding: a few ms a webhook), and a batch of 64 done in one stretch held the HTTP server
 * (webhooks waiting for their 202) for a quarter of a second or more; after every few, I/O gets its
 * turn (setImmediate runs after the poll phase, without the 1 ms floor of a timer).
 */
const ITEMS_PER_TURN = 8

const nextTurn = Effect.async<void>((resume) => {
  const turn = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(turn))
})

/** Gives the event loop a turn after every ITEMS_PER_TURN items. */
const pace = (i: number) => ((i + 1) % ITEMS_PER_TURN === 0 ? nextTurn : Effect.void)

export interface BatchServices {
  readonly db: Context.Tag.Service<Db>
  readonly store: Context.Tag.Service<EventStore>
  readonly config: Context.Tag.Service<ConfigState>
  readonly alerting: Context.Tag.Service<Alerting>
  /** The single path of one webhook (Normalizer.run). */
  readonly single: (webhookId: string) => Effect.Effect<unknown, DbError>
  /** The most webhooks one run takes. */
  readonly batchItems: number
  /** DISPATCH_SHARDS: the batch keys per target that planned dispatches spread over. */
  readonly shards: number
}

type Result = Either.Either<void, unknown>

/** Events read with one query, per stream, in version order. */
const byStream = (events: ReadonlyArray<RecordedEvent>) => {
  const streams = new Map<string, Array<RecordedEvent>>()
  for (const e of events) {
    const list = streams.get(e.streamId)
    if (list === undefined) streams.set(e.streamId, [e])
    else list.push(e)
  }
  for (const list of streams.values()) list.sort((a, b) => a.version - b.version)
  return streams
}

export const makeRunBatch = (services: BatchServices) => {
  const { db, store, config, alerting, single, batchItems, shards } = services

  /**
   * The batch's reads, decisions and one append. Returns the webhooks left for the single path, in
   * batch order: those it could not take, or all of them when its append failed.
   */
  const together = (items: ReadonlyArray<NormalizeJobPayload>) =>
    Effect.gen(function* () {
      const webhooks = byStream(yield* store.readStreams(items.map((p) => webhookStream(p.webhookId))))
      const snapshot = yield* config.current
      const now = new Date()
      const alone = new Set<string>()
      const writes: Array<Writes> = []
      const failures: Array<AppEvent> = []
      const observed: Array<{ webhookId: string; examined: Extract<Examined, { _tag: "Observed" }> }> = []
      const orders = new Set<string>()
      for (const [i, { webhookId }] of items.entries()) {
        yield* pace(i)
        const examined = examine(webhookId, webhooks.get(webhookStream(webhookId)) ?? [], snapshot, false)
        switch (examined._tag) {
          case "Done":
            break
          case "Missing":
            // The single path reports it (a defect, retried as the job).
            alone.add(webhookId)
            break
          case "Verdict":
            if (!examined.same) {
              const alerts = yield* alerting.raise({ events: [examined.record], now })
              writes.push(verdictWrites(webhookId, examined, alerts))
              failures.push(examined.record)
            }
            break
          case "Observed": {
            const { outcome } = examined
            // An alias to resolve or to declare needs its own lookup and transaction; a second webhook
            // of an order must see what the first appends.
            if (outcome.keyFrom === "billing-alias" || outcome.billingKey !== undefined || orders.has(outcome.orderKey))
              alone.add(webhookId)
            else {
              orders.add(outcome.orderKey)
              observed.push({ webhookId, examined })
            }
          }
        }
      }
      const orderStreams = byStream(yield* store.readStreams([...orders].map(orderStream)))
      for (const [i, { webhookId, examined }] of observed.entries()) {
        yield* pace(i)
        const orderKey = examined.outcome.orderKey
        const decision = decideOrder(
          webhookId,
          examined.outcome,
          orderStreams.get(orderStream(orderKey)) ?? [],
          snapshot,
          now,
          shards
        )
        const alerts = yield* alerting.raise({
          events: decision.orderAppend,
          order: decision.order,
          becameEligible: decision.becameEligible,
          now
        })
        writes.push(orderWrites(webhookId, examined, decision, alerts))
      }
      if (writes.length > 0) {
        const appended = yield* store
          .appendMany(
            writes.flatMap((w) => w.appends),
            { jobs: distinctJobKeys(writes.flatMap((w) => w.jobs)) }
          )
          .pipe(Effect.either)
        if (Either.isLeft(appended)) {
          yield* Effect.logInfo(
            `the batch's append failed (${appended.left._tag}); each of its ${items.length} webhooks runs alone`
          )
          return items
        }
      }
      for (const record of failures) countFailure(record)
      return items.filter((p) => alone.has(p.webhookId))
    })

  // An item's failure (or defect) is its own result; an interruption stops the batch.
  const alone = (p: NormalizeJobPayload): Effect.Effect<Result> =>
    single(p.webhookId).pipe(
      Effect.asVoid,
      Effect.either,
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : Effect.succeed(Either.left(Cause.squash(cause)))
      )
    )

  const enqueue = (operation: string, jobs: ReadonlyArray<Job>) => db.query(operation, (sql) => enqueueJobs(sql, jobs))

  return (payloads: ReadonlyArray<NormalizeJobPayload>): Effect.Effect<ReadonlyArray<Result>> =>
    Effect.gen(function* () {
      // One run per webhook: the batch may hold one twice (added twice while it waited).
      const first = new Map<string, number>()
      payloads.forEach((p, i) => {
        if (!first.has(p.webhookId)) first.set(p.webhookId, i)
      })
      const distinct = [...first.values()].map((i) => payloads[i]!)
      const items = distinct.slice(0, batchItems)
      const later = distinct.slice(batchItems)
      // The rest join the next batch of their shard (a new job: this one is running).
      if (later.length > 0) yield* enqueue("Normalizer.requeue", later.map(normalizeBatchJob))
      const rest = yield* together(items).pipe(
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.as(
                Effect.logWarning(
                  `a normalization batch failed; each of its ${items.length} webhooks runs alone`,
                  cause
                ),
                items
              )
        )
      )
      const results = new Map<string, Result>()
      for (const p of rest) results.set(p.webhookId, yield* alone(p))
      // An item that failed alone too (our database, mostly) runs again as its own job, rather than
      // failing the batch job's item: graphile-worker fails items with a statement that, when the
      // database is what failed, stops its whole pool. Only if that enqueue fails too is the item failed.
      const failed = rest.filter((p) => Either.isLeft(results.get(p.webhookId) ?? Either.void))
      if (failed.length > 0) {
        const at = new Date(Date.now() + FAILED_ITEM_DELAY_MS * (1 + Math.random()))
        const retried = yield* enqueue(
          "Normalizer.retryFailed",
          failed.map((p) => normalizeJob(p, at))
        ).pipe(Effect.either)
        if (Either.isRight(retried)) {
          yield* Effect.logWarning(
            `${failed.length} webhooks of this batch failed; each runs again alone from ${at.toISOString()}`
          )
          for (const p of failed) results.set(p.webhookId, Either.void)
        }
      }
      return payloads.map((p, i) =>
        first.get(p.webhookId) === i ? (results.get(p.webhookId) ?? Either.void) : Either.void
      )
    }).pipe(
      // Only re-enqueueing the items past the cap can fail the batch: every item then fails with it and
      // is retried.
      Effect.catchAll((error) => Effect.succeed(payloads.map((): Result => Either.left(error)))),
      Effect.withSpan("Normalizer.runBatch", { attributes: { items: payloads.length } })
    )
}
