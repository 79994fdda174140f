// What one webhook's normalization decides, shared by the single job (NormalizeJob.ts) and the batch
// (batch.ts): plain functions of the webhook's stream, the configuration and the order's stream. The
// callers read the streams, raise the alerts and append what these return; only they touch the
// database, so both paths decide alike and differ only in how many statements they make.
import type { ConfigSnapshot } from "../config/state.js"
import { dispatchKey, evolveDispatch } from "../conversion/dispatch.js"
import { foldConversion } from "../conversion/stream.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { PendingAppend, RecordedEvent } from "../events/EventStore.js"
import type { AppEvent, EventMetadata } from "../events/Events.js"
import type { Job } from "../events/store.js"
import { orderStream, webhookStream } from "../events/streams.js"
import { failureReasonOf, type NormalizationFailureReason, type WebhookReceived } from "../events/webhook.js"
import { weighJob } from "../jobs/jobBudget.js"
import { normalizationFailuresTotal } from "../lib/metrics.js"
import {
  DISPATCH_SHARDS,
  type DispatchJobPayload,
  mergePlans,
  type Plan,
  planAdjustments,
  planConversion
} from "../rules/plan.js"
import {
  adjustmentFor,
  decide,
  foldOrder,
  isEligible,
  type NormalizationOutcome,
  normalizeWebhook,
  type Observed,
  PARSER_VERSION
} from "./normalize.js"
import { stableJson } from "./stableJson.js"

export const noPlan: Plan = { events: [], jobs: [] }

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

/** What the webhook's own stream and the configuration say, before any order stream is read. */
export type Examined =
  /** The stream has no WebhookReceived: a defect (ingest writes it first). */
  | { readonly _tag: "Missing" }
  /** Normalized before and no re-run requested: nothing to do. */
  | { readonly _tag: "Done" }
  /** Failed or Skipped: its record goes on the webhook's stream only (`same`: already recorded as is). */
  | {
      readonly _tag: "Verdict"
      readonly received: WebhookReceived
      readonly webhookVersion: number
      readonly outcome: Exclude<NormalizationOutcome, Observed>
      readonly record: AppEvent
      readonly same: boolean
    }
  | {
      readonly _tag: "Observed"
      readonly received: WebhookReceived
      readonly webhookVersion: number
      readonly outcome: Observed
    }

export const examine = (
  webhookId: string,
  webhookEvents: ReadonlyArray<RecordedEvent>,
  snapshot: ConfigSnapshot,
  dryRun: boolean
): Examined => {
  const received = webhookEvents.find((e) => e.event._tag === "WebhookReceived")?.event as WebhookReceived | undefined
  if (received === undefined) return { _tag: "Missing" }
  const status = normalizationStatus(webhookEvents)
  if (!dryRun && status.last !== undefined && !status.requested) return { _tag: "Done" }
  const webhookVersion = webhookEvents.at(-1)!.version
  const source = snapshot.sources.get(received.sourceId)
  const outcome: NormalizationOutcome =
    source === undefined
      ? { _tag: "Failed", reason: `source ${received.sourceId} is no longer configured`, parserVersion: PARSER_VERSION }
      : normalizeWebhook(received, {
          source,
          sources: snapshot.sources,
          products: snapshot.products,
          partners: snapshot.partners
        })
  if (outcome._tag === "Observed") return { _tag: "Observed", received, webhookVersion, outcome }
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
  return { _tag: "Verdict", received, webhookVersion, outcome, record, same }
}

/** What an Observed outcome does to its order. */
export interface OrderDecision {
  readonly orderKey: string
  /** The order stream's version it was decided on (its expected version). */
  readonly orderVersion: number | undefined
  /** The order events, then the dispatch plan's events: what goes on the order stream. */
  readonly orderAppend: ReadonlyArray<AppEvent>
  readonly plan: Plan
  /** The order after the events, and whether they made it eligible: what the alert policy looks at. */
  readonly order: CanonicalOrder | undefined
  readonly becameEligible: boolean
  /** WebhookNormalized, for the webhook's stream. */
  readonly marker: AppEvent
}

export const decideOrder = (
  webhookId: string,
  outcome: Observed,
  orderEvents: ReadonlyArray<RecordedEvent>,
  snapshot: ConfigSnapshot,
  now: Date,
  /** DISPATCH_SHARDS: how many batch keys per target the planned dispatches spread over. */
  shards = DISPATCH_SHARDS
): OrderDecision => {
  const orderKey = outcome.orderKey
  const { order: before, dispatch } = foldConversion(orderEvents)
  const events = decide(before, outcome, webhookId, { partners: snapshot.partners })
  const after = foldOrder(events, before)
  const becameEligible = !isEligible(before) && isEligible(after)
  const adjustment = adjustmentFor(before, after)
  const routed = becameEligible && after.order ? planConversion(after.order, snapshot, shards) : noPlan
  // A pair imported at cutover (s2s import dispatched) was sent by the previous system: no job.
  const conversionPlan = {
    events: routed.events,
    jobs: routed.jobs.filter((j) => {
      const payload = j.payload as DispatchJobPayload
      return !dispatch.has(dispatchKey(payload.targetId, payload.kind))
    })
  }
  // Adjustments see the conversions just planned too (a refund that arrived with the payment).
  const planned = conversionPlan.events.reduce((s, e) => evolveDispatch(s, e, now.toISOString()), dispatch)
  const plan = mergePlans(
    conversionPlan,
    adjustment ? planAdjustments(orderKey, adjustment, planned, snapshot, shards) : noPlan
  )
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
  return {
    orderKey,
    orderVersion: orderEvents.at(-1)?.version,
    orderAppend: [...events, ...plan.events],
    plan,
    order: after.order,
    becameEligible,
    marker
  }
}

/** A recorded failure counts in s2s_normalization_failures_total (called once it is committed). */
export const countFailure = (record: AppEvent) => {
  if (record._tag === "NormalizationFailed")
    normalizationFailuresTotal.inc({ source: record.sourceId, reason: failureReasonOf(record) })
}

export interface Writes {
  readonly appends: ReadonlyArray<PendingAppend>
  readonly jobs: ReadonlyArray<Job>
}

/** The appends and jobs that record a Verdict (with its alerts), under the webhook's metadata. */
export const verdictWrites = (
  webhookId: string,
  examined: Extract<Examined, { _tag: "Verdict" }>,
  alerts: Writes
): Writes =>
  withMetadata(
    {
      appends: [
        { streamId: webhookStream(webhookId), expectedVersion: examined.webhookVersion, events: [examined.record] },
        ...alerts.appends
      ],
      jobs: alerts.jobs
    },
    { actor: "worker", correlationId: webhookId }
  )

/** The appends and jobs that record an order decision (with its alerts), under the webhook's metadata. */
export const orderWrites = (
  webhookId: string,
  examined: Extract<Examined, { _tag: "Observed" }>,
  decision: OrderDecision,
  alerts: Writes
): Writes =>
  withMetadata(
    {
      appends: [
        ...(decision.orderAppend.length > 0
          ? [
              {
                streamId: orderStream(decision.orderKey),
                expectedVersion: decision.orderVersion ?? ("no_stream" as const),
                events: decision.orderAppend
              }
            ]
          : []),
        { streamId: webhookStream(webhookId), expectedVersion: examined.webhookVersion, events: [decision.marker] },
        ...alerts.appends
      ],
      // The dispatch jobs weigh what the order came from in the worker's memory budget.
      jobs: [...decision.plan.jobs.map((j) => weighJob(j, examined.received.body.bytes)), ...alerts.jobs]
    },
    { actor: "worker", correlationId: webhookId, causationId: webhookId }
  )

/** Each append carries its webhook's metadata, so a batch of many webhooks records each one's own. */
const withMetadata = (writes: Writes, metadata: EventMetadata): Writes => ({
  appends: writes.appends.map((a) => (a.metadata === undefined ? { ...a, metadata } : a)),
  jobs: writes.jobs
})
