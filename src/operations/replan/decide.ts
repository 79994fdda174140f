// The replan decider, pure: one order's stream + the current configuration -> the (order, target)
// conversions the current rules route it to that were never planned, sent or imported for it. An order
// that arrived while a rule, target or partner was missing was routed to fewer targets (or none); once
// the configuration is fixed, this plans what is missing and nothing else: a pair with any dispatch
// history is left alone (redispatch handles those), so running it twice plans nothing the second time.
import type { ConfigSnapshot } from "../../config/state.js"
import { dispatchKey } from "../../conversion/dispatch.js"
import type { OrderState } from "../../conversion/order.js"
import { foldConversion } from "../../conversion/stream.js"
import type { DispatchPlanned } from "../../events/dispatch.js"
import type { AppEvent } from "../../events/Events.js"
import { partnerFor } from "../../normalize/identity.js"
import { isEligible } from "../../normalize/normalize.js"
import { explain, toPlannedTargets, toRuleDecisions } from "../../rules/index.js"
import { dispatchJob, type Plan } from "../../rules/plan.js"
import type { ReplanItem } from "../schemas.js"

export interface ReplanInput {
  readonly orderKey: string
  readonly events: ReadonlyArray<{ readonly event: AppEvent; readonly recordedAt: Date }>
  readonly config: ConfigSnapshot
  /** Only this target. */
  readonly target?: string | undefined
  readonly reason: string
  readonly actor: string
}

export interface ReplanDecision {
  /** New pairs (would_plan), orders left as they are and why (skipped), routes now gone (no_longer_routed). */
  readonly items: ReadonlyArray<ReplanItem>
  /** The DispatchPlanned to append and its jobs; empty when nothing is new. */
  readonly plan: Plan
}

const nothing: Plan = { events: [], jobs: [] }

const skip = (orderKey: string, reason: string): ReplanDecision => ({
  items: [{ orderKey, action: "skipped", reason }],
  plan: nothing
})

const ineligible = (state: OrderState): string => {
  if (state.order === undefined) return "not normalized (no order yet): nothing to route"
  if (state.ignored !== undefined) return `ignored (${state.ignored.reason}): never dispatched`
  if (state.order.test) return "a test order: never dispatched"
  if (state.paidAt === undefined) return `not paid (${state.status}): routed when it is paid`
  return "waiting for the shop's own webhook (a billing payment arrived first): routed when it does"
}

export const decideReplan = (input: ReplanInput): ReplanDecision => {
  const { orderKey, config } = input
  const { order: state, dispatch } = foldConversion(input.events)
  if (!isEligible(state) || state.order === undefined) return skip(orderKey, ineligible(state))
  const order = state.order
  // Routing reads the partner recorded at normalization; if the partner rules now say otherwise, the
  // order must be normalized again first, or it would be routed as the partner it no longer is.
  const partnerNow = partnerFor(order.tracking, config.partners)?.partner
  if (partnerNow !== order.partner)
    return skip(
      orderKey,
      `the partner rules now make it ${partnerNow ?? "no partner"} (recorded: ${order.partner ?? "no partner"}); ` +
        `re-normalize it first (s2s renormalize --state all --source ${order.sourceId} --yes), then replan`
    )
  const explanation = explain(order, config.rules, [...config.targets.values()])
  const routed = toPlannedTargets(explanation, "conversion").filter(
    (t) => input.target === undefined || t.targetId === input.target
  )
  const fresh = routed.filter((t) => !dispatch.has(dispatchKey(t.targetId, "conversion")))
  const routedIds = new Set(routed.map((t) => t.targetId))
  const gone: ReadonlyArray<ReplanItem> = [...dispatch.values()]
    .filter((e) => e.kind === "conversion" && (input.target === undefined || e.targetId === input.target))
    .filter((e) => !routedIds.has(e.targetId))
    .map((e) => ({
      orderKey,
      targetId: e.targetId,
      channel: e.channel,
      ruleId: e.ruleId,
      action: "no_longer_routed" as const,
      reason: `the current rules no longer route it here; its dispatch (${e.status}) is left as it is`
    }))
  const items: ReadonlyArray<ReplanItem> = [
    ...fresh.map((t) => ({
      orderKey,
      targetId: t.targetId,
      channel: t.channel,
      ruleId: t.ruleId,
      action: "would_plan" as const
    })),
    ...gone
  ]
  if (fresh.length === 0) return { items, plan: nothing }
  const planned: typeof DispatchPlanned.Type = {
    _tag: "DispatchPlanned",
    orderKey,
    targets: fresh,
    decisions: toRuleDecisions(explanation),
    trigger: "operator",
    reason: input.reason,
    actor: input.actor
  }
  return {
    items,
    plan: {
      events: [planned],
      jobs: fresh.map((t) => dispatchJob({ orderKey, targetId: t.targetId, kind: "conversion" }))
    }
  }
}
