// Dispatch planning, pure: when an order becomes eligible (paid, not ignored), which targets get the
// conversion (the rules decide, with every decision recorded); when a refund or cancellation follows,
// which of those targets get an adjustment. Returns the DispatchPlanned events and one job per
// (order, target, kind) (an item of its target's batch job), for the normalization transaction to
// append and enqueue together.

import { Config } from "effect"
import type { ConfigSnapshot } from "../config/state.js"
import type { DispatchState } from "../conversion/dispatch.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { Target } from "../events/configSchema.js"
import type { DispatchKind, DispatchPlanned, PlannedTarget } from "../events/dispatch.js"
import type { Job } from "../events/store.js"
import { explain, toPlannedTargets, toRuleDecisions } from "./index.js"

export const DISPATCH_TASK = "dispatch-order"

/**
 * Dispatches that can go now are batched: an array-payload job per (target, shard), whose items
 * graphile-worker concatenates while it waits (sql/0011_batch_jobs.sql), so a batch is whatever
 * accumulated while the previous one ran and a lone order runs at once. Retries, waits and operator
 * re-dispatches stay single jobs keyed per (order, target, kind) (`dispatchJob`).
 */
export const DISPATCH_BATCH_TASK = "dispatch-batch"

/**
 * Batches per target that can run at once, across every worker process (the order key picks one);
 * `DISPATCH_SHARDS` changes it. Each process still runs at most the target's `concurrency` of them.
 * Changing it while jobs wait is safe: a waiting batch keeps its key and runs, new items take the new
 * keys, and an order's adjustment still waits for its conversion to succeed (Dispatcher.ts), whatever
 * batch either is in.
 */
export const DISPATCH_SHARDS = 4

export const MAX_DISPATCH_SHARDS = 256

/** `DISPATCH_SHARDS`, checked when the worker starts (a bad value stops it with this message). */
export const DispatchShards = Config.integer("DISPATCH_SHARDS").pipe(
  Config.validate({
    message: `DISPATCH_SHARDS must be a whole number from 1 to ${MAX_DISPATCH_SHARDS}`,
    validation: (n) => n >= 1 && n <= MAX_DISPATCH_SHARDS
  }),
  Config.withDefault(DISPATCH_SHARDS)
)

export type Trigger = (typeof DispatchPlanned.Type)["trigger"]

export interface DispatchJobPayload {
  readonly orderKey: string
  readonly targetId: string
  readonly kind: DispatchKind
  /** Its weight in the worker's memory budget (jobs/jobBudget.ts). */
  readonly bytes?: number | undefined
}

export const dispatchJob = (payload: DispatchJobPayload, runAt?: Date): Job => ({
  task: DISPATCH_TASK,
  payload,
  // One pending job per (order, target, kind): duplicates collapse into one.
  jobKey: `dispatch:${payload.orderKey}:${payload.targetId}:${payload.kind}`,
  runAt,
  maxAttempts: 10
})

/** The most dispatches one batch job runs at once (DISPATCH_BATCH_ITEMS); the rest join the next batch. */
export const DISPATCH_BATCH_ITEMS = 64

/** A small stable hash of the order key: its batch shard. */
export const shardOf = (orderKey: string, shards = DISPATCH_SHARDS): number => {
  let h = 0
  for (let i = 0; i < orderKey.length; i++) h = (Math.imul(h, 31) + orderKey.charCodeAt(i)) | 0
  return (h >>> 0) % Math.max(1, shards)
}

export const dispatchBatchKey = (targetId: string, shard: number) => `dispatch-batch:${targetId}:${shard}`

/**
 * The dispatch as an item of its target's batch job (runs now). The key is also the job's queue: one
 * batch of a key runs at a time, and the items that arrive meanwhile wait in the next one (without
 * the queue a free worker would take each new item alone at once, and batches would never form).
 */
export const dispatchBatchJob = (payload: DispatchJobPayload, shards = DISPATCH_SHARDS): Job => {
  const key = dispatchBatchKey(payload.targetId, shardOf(payload.orderKey, shards))
  return { task: DISPATCH_BATCH_TASK, payload: [payload], jobKey: key, queueName: key, maxAttempts: 10 }
}

export interface Plan {
  readonly events: ReadonlyArray<typeof DispatchPlanned.Type>
  readonly jobs: ReadonlyArray<Job>
}

const noPlan: Plan = { events: [], jobs: [] }

export const planConversion = (order: CanonicalOrder, config: ConfigSnapshot, shards = DISPATCH_SHARDS): Plan => {
  const explanation = explain(order, config.rules, [...config.targets.values()])
  const targets = toPlannedTargets(explanation, "conversion")
  return {
    events: [
      {
        _tag: "DispatchPlanned",
        orderKey: order.orderKey,
        targets,
        decisions: toRuleDecisions(explanation),
        trigger: "paid"
      }
    ],
    jobs: targets.map((t) =>
      dispatchBatchJob({ orderKey: order.orderKey, targetId: t.targetId, kind: "conversion" }, shards)
    )
  }
}

export type AdjustmentRequest =
  | { readonly kind: "retraction"; readonly reason: "refunded" | "cancelled" }
  | { readonly kind: "restatement"; readonly valueMinor: number }

/** The adjustment each kind of target gets; undefined when the channel has none. */
const adjustmentKind = (target: Target, adjustment: AdjustmentRequest): DispatchKind | undefined => {
  switch (target.channel) {
    case "google-ads":
      return adjustment.kind
    case "postback":
      return target.statusChange === undefined ? undefined : "status_change"
    case "meta-capi":
      return undefined
  }
}

/**
 * Adjustments for the targets whose conversion was sent or is still on its way (a conversion that
 * failed for good has nothing to adjust). The dispatcher sends an adjustment only after its
 * conversion succeeded.
 */
export const planAdjustments = (
  orderKey: string,
  adjustment: AdjustmentRequest,
  dispatch: DispatchState,
  config: ConfigSnapshot,
  shards = DISPATCH_SHARDS
): Plan => {
  const targets: Array<typeof PlannedTarget.Type> = []
  for (const entry of dispatch.values()) {
    if (entry.kind !== "conversion") continue
    if (entry.status !== "succeeded" && entry.status !== "planned" && entry.status !== "retrying") continue
    const target = config.targets.get(entry.targetId)
    if (target === undefined) continue
    const kind = adjustmentKind(target, adjustment)
    if (kind === undefined) continue
    targets.push({
      targetId: entry.targetId,
      channel: target.channel,
      ruleId: entry.ruleId,
      kind,
      ...(adjustment.kind === "restatement" ? { valueMinor: adjustment.valueMinor } : {})
    })
  }
  if (targets.length === 0) return noPlan
  return {
    events: [
      {
        _tag: "DispatchPlanned",
        orderKey,
        targets,
        decisions: [],
        trigger: adjustment.kind === "retraction" && adjustment.reason === "cancelled" ? "cancellation" : "refund"
      }
    ],
    jobs: targets.map((t) => dispatchBatchJob({ orderKey, targetId: t.targetId, kind: t.kind }, shards))
  }
}

export const mergePlans = (...plans: ReadonlyArray<Plan>): Plan => ({
  events: plans.flatMap((p) => p.events),
  jobs: plans.flatMap((p) => p.jobs)
})
