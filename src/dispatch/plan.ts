// Dispatch planning, pure: when an order becomes eligible (paid, not ignored), which targets get the
// conversion (the rules decide, with every decision recorded); when a refund or cancellation follows,
// which of those targets get an adjustment. Returns the DispatchPlanned events and one job per
// (order, target, kind), for the normalization transaction to append and enqueue together.
import type { Target } from "../config/schema.js"
import type { ConfigSnapshot } from "../config/state.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { DispatchKind, DispatchPlanned, PlannedTarget } from "../events/dispatch.js"
import type { Job } from "../events/store.js"
import { explain, toPlannedTargets, toRuleDecisions } from "../rules/index.js"
import type { DispatchState } from "./state.js"

export const DISPATCH_TASK = "dispatch-order"

export type Trigger = (typeof DispatchPlanned.Type)["trigger"]

export interface DispatchJobPayload {
  readonly orderKey: string
  readonly targetId: string
  readonly kind: DispatchKind
}

export const dispatchJob = (payload: DispatchJobPayload, runAt?: Date): Job => ({
  task: DISPATCH_TASK,
  payload,
  // One pending job per (order, target, kind): duplicates collapse into one.
  jobKey: `dispatch:${payload.orderKey}:${payload.targetId}:${payload.kind}`,
  runAt,
  maxAttempts: 10
})

export interface Plan {
  readonly events: ReadonlyArray<typeof DispatchPlanned.Type>
  readonly jobs: ReadonlyArray<Job>
}

const noPlan: Plan = { events: [], jobs: [] }

export const planConversion = (order: CanonicalOrder, config: ConfigSnapshot): Plan => {
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
    jobs: targets.map((t) => dispatchJob({ orderKey: order.orderKey, targetId: t.targetId, kind: "conversion" }))
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
  config: ConfigSnapshot
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
    jobs: targets.map((t) => dispatchJob({ orderKey, targetId: t.targetId, kind: t.kind }))
  }
}

export const mergePlans = (...plans: ReadonlyArray<Plan>): Plan => ({
  events: plans.flatMap((p) => p.events),
  jobs: plans.flatMap((p) => p.jobs)
})
