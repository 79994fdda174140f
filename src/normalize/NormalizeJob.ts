// The normalization jobs: recorded webhooks -> the order events they imply. Consumes the webhook
// stream and the order stream; appends OrderNormalized / PaymentUpdated / OrderRefunded /
// OrderCancelled / OrderIgnored (only what changed) to the order stream, the dispatch plan and its jobs
// when the order becomes eligible or needs adjustments, and WebhookNormalized (or NormalizationFailed,
// never a drop) to the webhook stream, all in one transaction. Concurrent webhooks of one order meet
// on the order stream's expected version; the loser re-reads and decides again. A payment that
// declares a new billing alias also re-requests the webhooks stranded on the alias's stream (alias.ts).
// Two tasks run it: `normalize-batch` (ingest's: many webhooks, one read per stream kind and one
// append for all; batch.ts) and `normalize-webhook` (one webhook: re-normalizations, re-routing, jobs
// queued before batches, and every batch item that cannot or could not go with its batch).
// What a webhook decides is decision.ts, the same for both.
import { Config, Context, Effect, type Either, Layer, Schedule, Schema } from "effect"
import { Alerting } from "../alerts/Alerting.js"
import { ConfigState } from "../config/ConfigState.js"
import { Db, type DbError } from "../db/Db.js"
import { EventStore } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { orderStream, webhookStream } from "../events/streams.js"
import { jobWeight } from "../jobs/jobBudget.js"
import {
  NORMALIZE_BATCH_ITEMS,
  NORMALIZE_BATCH_TASK,
  NORMALIZE_TASK,
  type NormalizeJobPayload,
  normalizeJob as normalizeJobOf
} from "../jobs/normalizeJobs.js"
import { defineBatchTask, defineTask } from "../jobs/task.js"
import { DispatchShards, type Plan } from "../rules/plan.js"
import { reroutingFor } from "./alias.js"
import { makeRunBatch } from "./batch.js"
import { countFailure, decideOrder, examine, noPlan, orderWrites, verdictWrites } from "./decision.js"
import { type NormalizationOutcome, withOrderKey } from "./normalize.js"

export { NORMALIZE_BATCH_TASK, NORMALIZE_TASK } from "../jobs/normalizeJobs.js"
export { normalizationStatus } from "./decision.js"

export const NormalizePayload = Schema.Struct({ webhookId: Schema.String, bytes: Schema.optional(Schema.Number) })

/** The normalize job of one webhook (the same job key as a single job from ingest had, so a pending one is not doubled). */
export const normalizeJob = (webhookId: string) => normalizeJobOf({ webhookId })

/** The most webhooks one batch run takes; the rest join the next batch of their shard. */
export const NormalizeBatchItems = Config.integer("NORMALIZE_BATCH_ITEMS").pipe(
  Config.withDefault(NORMALIZE_BATCH_ITEMS)
)

export interface NormalizeResult {
  readonly outcome: NormalizationOutcome
  /** Events the run would append to the order stream (empty: nothing changes). */
  readonly orderEvents: ReadonlyArray<AppEvent>
  readonly plan: Plan
}

export interface NormalizerService {
  readonly run: (
    webhookId: string,
    options?: { readonly dryRun?: boolean }
  ) => Effect.Effect<NormalizeResult | undefined, DbError>
  /** A batch of webhooks (the normalize-batch task): one result per item, in order (batch.ts). */
  readonly runBatch: (
    items: ReadonlyArray<NormalizeJobPayload>
  ) => Effect.Effect<ReadonlyArray<Either.Either<void, unknown>>>
}

export class Normalizer extends Context.Tag("app/normalize/Normalizer")<Normalizer, NormalizerService>() {}

export const NormalizerLive = Layer.effect(
  Normalizer,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState
    const alerting = yield* Alerting
    const batchItems = yield* NormalizeBatchItems
    const shards = yield* DispatchShards

    const resolveAlias = (alias: string) =>
      db.query(
        "Normalize.alias",
        (sql) => sql<Array<{ order_key: string }>>`select order_key from order_aliases where alias = ${alias}`
      )

    const attempt = (webhookId: string, dryRun: boolean) =>
      Effect.gen(function* () {
        const webhookEvents = yield* store.readStream(webhookStream(webhookId))
        const snapshot = yield* config.current
        const examined = examine(webhookId, webhookEvents, snapshot, dryRun)
        if (examined._tag === "Missing")
          return yield* Effect.dieMessage(`webhook ${webhookId} has no WebhookReceived event`)
        if (examined._tag === "Done") {
          yield* Effect.logDebug(`webhook ${webhookId} is already normalized`)
          return undefined
        }
        if (examined._tag === "Verdict") {
          if (!dryRun && !examined.same) {
            // A failure is alerted (grouped per source and reason) in the transaction that records it.
            const alerts = yield* alerting.raise({ events: [examined.record], now: new Date() })
            const writes = verdictWrites(webhookId, examined, alerts)
            yield* store.appendMany(writes.appends, { jobs: writes.jobs })
            countFailure(examined.record)
          }
          return { outcome: examined.outcome, orderEvents: [], plan: noPlan }
        }

        let outcome = examined.outcome
        if (outcome.keyFrom === "billing-alias") {
          const [alias] = yield* resolveAlias(outcome.orderKey)
          if (alias) outcome = withOrderKey(outcome, alias.order_key)
        }
        const orderKey = outcome.orderKey
        const orderEvents = yield* store.readStream(orderStream(orderKey))
        const now = new Date()
        const decision = decideOrder(webhookId, outcome, orderEvents, snapshot, now, shards)
        if (dryRun) return { outcome, orderEvents: decision.orderAppend, plan: decision.plan }

        const alerts = yield* alerting.raise({
          events: decision.orderAppend,
          order: decision.order,
          becameEligible: decision.becameEligible,
          now
        })
        const writes = orderWrites(webhookId, { ...examined, outcome }, decision, alerts)
        const billingKey = outcome.billingKey
        // A new alias moves the webhooks that arrived before it (refunds, adjustments) to this order.
        const rerouting = billingKey
          ? yield* reroutingFor({ db, store }, { billingKey, orderKey, webhookId }, normalizeJob)
          : { appends: [], jobs: [] }
        const append = store.appendMany([...writes.appends, ...rerouting.appends], {
          metadata: { actor: "worker", correlationId: webhookId, causationId: webhookId },
          jobs: [...writes.jobs, ...rerouting.jobs]
        })
        // The alias commits with the events that name it.
        yield* billingKey
          ? db.withTransaction(
              Effect.zipLeft(
                append,
                db.query(
                  "Normalizer.alias",
                  (sql) =>
                    sql`insert into order_aliases (alias, order_key) values (${billingKey}, ${orderKey}) on conflict do nothing`
                )
              )
            )
          : append
        return { outcome, orderEvents: decision.orderAppend, plan: decision.plan }
      })

    const run: NormalizerService["run"] = (webhookId, options) =>
      attempt(webhookId, options?.dryRun ?? false).pipe(
        // Another webhook of the same order (or a duplicate delivery) moved a stream: decide again.
        Effect.retry({
          while: (e) => e._tag === "WrongExpectedVersion",
          schedule: Schedule.jittered(Schedule.exponential("10 millis")),
          times: 20
        }),
        Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e)),
        Effect.withSpan("Normalizer.run"),
        Effect.annotateLogs({ webhookId })
      )

    return Normalizer.of({
      run,
      runBatch: makeRunBatch({ db, store, config, alerting, single: (webhookId) => run(webhookId), batchItems, shards })
    })
  })
)

export const normalizeTask = defineTask(NORMALIZE_TASK, NormalizePayload, (payload) =>
  Effect.flatMap(Normalizer, (n) => n.run(payload.webhookId))
)

export const normalizeBatchTask = defineBatchTask(
  NORMALIZE_BATCH_TASK,
  NormalizePayload,
  (items) => Effect.flatMap(Normalizer, (n) => n.runBatch(items)),
  // The items one run takes, not every item the job accumulated.
  (payload) => jobWeight(payload, NORMALIZE_BATCH_ITEMS)
)
