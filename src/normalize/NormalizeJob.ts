// The normalization job: one recorded webhook -> the order events it implies. Consumes the webhook
// stream and the order stream; appends OrderNormalized / PaymentUpdated / OrderRefunded /
// OrderCancelled / OrderIgnored (only what changed) to the order stream, the dispatch plan and its jobs
// when the order becomes eligible or needs adjustments, and WebhookNormalized (or NormalizationFailed,
// never a drop) to the webhook stream, all in one transaction. Concurrent webhooks of one order meet
// on the order stream's expected version; the loser re-reads and decides again. A payment that
// declares a new billing alias also re-requests the webhooks stranded on the alias's stream (alias.ts).
import { Context, Effect, Layer, Schedule, Schema } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import type { ConfigSnapshot } from "../config/state.js"
import { Db, type DbError } from "../db/Db.js"
import { type DispatchJobPayload, mergePlans, type Plan, planAdjustments, planConversion } from "../dispatch/plan.js"
import { type DispatchState, dispatchKey, evolveDispatch } from "../dispatch/state.js"
import { EventStore, type PendingAppend, type RecordedEvent, WrongExpectedVersion } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { orderStream, webhookStream } from "../events/streams.js"
import { failureReasonOf, type NormalizationFailureReason, type WebhookReceived } from "../events/webhook.js"
import { defineTask } from "../jobs/Worker.js"
import { Alerting } from "../lib/alerting.js"
import { normalizationFailuresTotal } from "../lib/metrics.js"
import { reroutingFor } from "./alias.js"
import {
  adjustmentFor,
  decide,
  foldOrder,
  isEligible,
  type NormalizationOutcome,
  normalizeWebhook,
  PARSER_VERSION,
  withOrderKey
} from "./normalize.js"
import { stableJson } from "./stableJson.js"

export const NORMALIZE_TASK = "normalize-webhook"

/** A failure's label: bytes that are not UTF-8 (stored as base64) are named as such, not as bad JSON. */
const failureCategory = (
  reason: string,
  sourceMissing: boolean,
  encoding: WebhookReceived["body"]["encoding"]
): NormalizationFailureReason => {
  if (sourceMissing) return "unknown_source"
  const derived = failureReasonOf({ reason })
  return derived === "invalid_json" && encoding === "base64" ? "not_utf8" : derived
}

export const NormalizePayload = Schema.Struct({ webhookId: Schema.String })

/** The normalize job of one webhook (the same job key as ingest's, so a pending one is not doubled). */
export const normalizeJob = (webhookId: string) => ({
  task: NORMALIZE_TASK,
  payload: { webhookId },
  jobKey: `normalize:${webhookId}`,
  maxAttempts: 10
})

/** The last normalization record of a webhook, and whether a re-run was requested after it. */
export const normalizationStatus = (events: ReadonlyArray<RecordedEvent>) => {
  let last: RecordedEvent | undefined
  let requested = false
  for (const e of events) {
    if (e.event._tag === "WebhookNormalized" || e.event._tag === "NormalizationFailed") {
      last = e
      requested = false
    } else if (e.event._tag === "RenormalizationRequested") requested = true
  }
  return { last, requested }
}

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
}

export class Normalizer extends Context.Tag("app/normalize/Normalizer")<Normalizer, NormalizerService>() {}

const dispatchStateOf = (events: ReadonlyArray<RecordedEvent>): DispatchState => {
  let state: DispatchState = new Map()
  for (const e of events) state = evolveDispatch(state, e.event, e.recordedAt.toISOString())
  return state
}

export const NormalizerLive = Layer.effect(
  Normalizer,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState
    const alerting = yield* Alerting

    const resolveAlias = (alias: string) =>
      db.run(
        "Normalize.alias",
        (sql) => sql<Array<{ order_key: string }>>`select order_key from order_aliases where alias = ${alias}`
      )

    const attempt = (webhookId: string, dryRun: boolean) =>
      Effect.gen(function* () {
        const webhookEvents = yield* store.readStream(webhookStream(webhookId))
        const received = webhookEvents.find((e) => e.event._tag === "WebhookReceived")?.event as
          | WebhookReceived
          | undefined
        if (received === undefined) return yield* Effect.dieMessage(`webhook ${webhookId} has no WebhookReceived event`)
        const status = normalizationStatus(webhookEvents)
        if (!dryRun && status.last !== undefined && !status.requested) {
          yield* Effect.logDebug(`webhook ${webhookId} is already normalized`)
          return undefined
        }
        const webhookVersion = webhookEvents.at(-1)!.version
        const snapshot: ConfigSnapshot = yield* config.current
        const source = snapshot.sources.get(received.sourceId)
        const failed = (reason: string, path?: string): NormalizationOutcome => ({
          _tag: "Failed",
          reason,
          parserVersion: PARSER_VERSION,
          ...(path === undefined ? {} : { path })
        })
        let outcome =
          source === undefined
            ? failed(`source ${received.sourceId} is no longer configured`)
            : normalizeWebhook(received, {
                source,
                sources: snapshot.sources,
                products: snapshot.products,
                partners: snapshot.partners
              })
        if (outcome._tag === "Observed" && outcome.keyFrom === "billing-alias") {
          const [alias] = yield* resolveAlias(outcome.orderKey)
          if (alias) outcome = withOrderKey(outcome, alias.order_key)
        }

        if (outcome._tag !== "Observed") {
          const record: AppEvent =
            outcome._tag === "Failed"
              ? {
                  _tag: "NormalizationFailed",
                  webhookId,
                  sourceId: received.sourceId,
                  reason: outcome.reason,
                  parserVersion: outcome.parserVersion,
                  ...(outcome.path ? { path: outcome.path } : {}),
                  category: failureCategory(outcome.reason, source === undefined, received.body.encoding)
                }
              : {
                  _tag: "WebhookNormalized",
                  webhookId,
                  outcome: "skipped",
                  eventTypes: [],
                  parserVersion: outcome.parserVersion,
                  detail: outcome.reason
                }
          // A re-run that reaches the same verdict records nothing new.
          // Compared key-order-insensitively: the decoded event lists its fields in schema order.
          const same = status.last !== undefined && stableJson(status.last.event) === stableJson(record)
          if (!dryRun && !same) {
            // A failure is alerted (grouped per source and reason) in the transaction that records it.
            const alerts = yield* alerting.raise({ events: [record], now: new Date() })
            yield* store.appendMany(
              [
                { streamId: webhookStream(webhookId), expectedVersion: webhookVersion, events: [record] },
                ...alerts.appends
              ],
              { metadata: { actor: "worker", correlationId: webhookId }, jobs: alerts.jobs }
            )
            if (record._tag === "NormalizationFailed")
              normalizationFailuresTotal.inc({ source: record.sourceId, reason: failureReasonOf(record) })
          }
          return { outcome, orderEvents: [], plan: { events: [], jobs: [] } }
        }

        const orderKey = outcome.orderKey
        const orderEvents = yield* store.readStream(orderStream(orderKey))
        const before = foldOrder(orderEvents.map((e) => e.event))
        const events = decide(before, outcome, webhookId, { partners: snapshot.partners })
        const after = foldOrder(events, before)
        const becameEligible = !isEligible(before) && isEligible(after)
        const adjustment = adjustmentFor(before, after)
        const dispatch = dispatchStateOf(orderEvents)
        const routed = becameEligible && after.order ? planConversion(after.order, snapshot) : { events: [], jobs: [] }
        // A pair imported at cutover (s2s import dispatched) was sent by the previous system: no job.
        const conversionPlan = {
          events: routed.events,
          jobs: routed.jobs.filter((j) => {
            const payload = j.payload as DispatchJobPayload
            return !dispatch.has(dispatchKey(payload.targetId, payload.kind))
          })
        }
        // Adjustments see the conversions just planned too (a refund that arrived with the payment).
        const planned = conversionPlan.events.reduce((s, e) => evolveDispatch(s, e, new Date().toISOString()), dispatch)
        const plan = mergePlans(
          conversionPlan,
          adjustment ? planAdjustments(orderKey, adjustment, planned, snapshot) : { events: [], jobs: [] }
        )
        const orderAppend = [...events, ...plan.events]
        if (dryRun) return { outcome, orderEvents: orderAppend, plan }

        const ignored = events.some((e) => e._tag === "OrderIgnored")
        const marker: AppEvent = {
          _tag: "WebhookNormalized",
          webhookId,
          orderKey,
          outcome: events.length === 0 ? "unchanged" : ignored ? "ignored" : "changed",
          eventTypes: events.map((e) => e._tag),
          parserVersion: outcome.parserVersion,
          ...(outcome.billingKey ? { billingKey: outcome.billingKey } : {}),
          // Recorded where the order's log shows it: how a shared billing account's order got its brand.
          ...(outcome.companyNote ? { detail: outcome.companyNote } : {})
        }
        const alerts = yield* alerting.raise({
          events: orderAppend,
          order: after.order,
          becameEligible,
          now: new Date()
        })
        const appends: Array<PendingAppend> = [
          ...(orderAppend.length > 0
            ? [
                {
                  streamId: orderStream(orderKey),
                  expectedVersion: orderEvents.at(-1)?.version ?? ("no_stream" as const),
                  events: orderAppend
                }
              ]
            : []),
          { streamId: webhookStream(webhookId), expectedVersion: webhookVersion, events: [marker] },
          ...alerts.appends
        ]
        const billingKey = outcome.billingKey
        // A new alias moves the webhooks that arrived before it (refunds, adjustments) to this order.
        const rerouting = billingKey
          ? yield* reroutingFor({ db, store }, { billingKey, orderKey, webhookId }, normalizeJob)
          : { appends: [], jobs: [] }
        yield* store.appendMany([...appends, ...rerouting.appends], {
          metadata: { actor: "worker", correlationId: webhookId, causationId: webhookId },
          jobs: [...plan.jobs, ...alerts.jobs, ...rerouting.jobs],
          alongside: billingKey
            ? (tx) =>
                tx`insert into order_aliases (alias, order_key) values (${billingKey}, ${orderKey}) on conflict do nothing`
            : undefined
        })
        return { outcome, orderEvents: orderAppend, plan }
      })

    return Normalizer.of({
      run: (webhookId, options) =>
        attempt(webhookId, options?.dryRun ?? false).pipe(
          // Another webhook of the same order (or a duplicate delivery) moved a stream: decide again.
          Effect.retry({
            while: (e) => e instanceof WrongExpectedVersion,
            schedule: Schedule.jittered(Schedule.exponential("10 millis")),
            times: 20
          }),
          Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e)),
          Effect.withSpan("Normalizer.run"),
          Effect.annotateLogs({ webhookId })
        )
    })
  })
)

export const normalizeTask = defineTask(NORMALIZE_TASK, NormalizePayload, (payload) =>
  Effect.flatMap(Normalizer, (n) => n.run(payload.webhookId))
)
