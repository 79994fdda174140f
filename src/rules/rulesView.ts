// The rules read side: the current rule set with every rule's history (folded from the config:rule:*
// streams), and the explanation of an order's routing with the current rules next to the decisions
// recorded when it was planned. Reads only; fails with OrderNotExplainable for an unknown order or
// one no webhook has described yet.
import { Data, Effect } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { type RuleHistoryEntry, ruleHistories } from "../config/ruleSet.js"
import { foldOrder } from "../conversion/order.js"
import type { Rule } from "../events/configSchema.js"
import type { DispatchPlanned } from "../events/dispatch.js"
import { EventStore } from "../events/EventStore.js"
import { orderStream } from "../events/streams.js"
import { type Explanation, explain } from "./explain.js"
import type { RoutableOrder } from "./match.js"

export interface ListedRule {
  readonly ruleId: string
  /** Position in the rule set (the order of the applied file); null for a removed rule. */
  readonly position: number | null
  readonly current: boolean
  /** The rule as it stands; for a removed rule, as it was before its removal. */
  readonly rule: Rule
  readonly history: ReadonlyArray<RuleHistoryEntry>
}

/**
 * Current rules in position order, then removed ones, each with its full history. The rule set is
 * the configuration's own fold (config/state.ts folds rule events with evolveRuleSet), so the list
 * is exactly what routing uses. It is folded from the rule streams on read rather than kept in a
 * table: the streams are a few events per rule, read whole with the rest of the configuration.
 */
export const listRules = Effect.fn("Rules.list")(function* () {
  const state = (yield* (yield* ConfigState).refresh).ruleSet
  return ruleHistories(state).flatMap((h): ReadonlyArray<ListedRule> => {
    const current = state.current.get(h.ruleId)
    const rule = current?.rule ?? h.history.at(-1)?.rule
    if (rule === undefined) return []
    return [{ ruleId: h.ruleId, position: current?.position ?? null, current: h.current, rule, history: h.history }]
  })
})

export class OrderNotExplainable extends Data.TaggedError("OrderNotExplainable")<{
  readonly orderKey: string
  readonly reason: "unknown" | "no_details"
}> {
  override get message() {
    return this.reason === "unknown"
      ? `no order ${this.orderKey} (order keys look like shop-de:1001)`
      : `order ${this.orderKey} has no details yet (only payment or refund updates): there is nothing to route`
  }
}

export interface OrderExplanation {
  readonly orderKey: string
  readonly order: RoutableOrder
  /** The view status ("ignored" orders are never dispatched, whatever the rules say). */
  readonly status: string
  readonly explanation: Explanation
  /** What was decided when the order was planned (conversion and adjustments), oldest first. */
  readonly planned: ReadonlyArray<{ readonly recordedAt: string; readonly plan: typeof DispatchPlanned.Type }>
}

/** The routing of an order under the current rules and targets, and what was recorded when it was planned. */
export const explainOrder = Effect.fn("Rules.explain")(function* (orderKey: string) {
  const store = yield* EventStore
  const config = yield* (yield* ConfigState).refresh
  const events = yield* store.readStream(orderStream(orderKey))
  if (events.length === 0) return yield* Effect.fail(new OrderNotExplainable({ orderKey, reason: "unknown" }))
  const state = foldOrder(events.map((e) => e.event))
  const order = state.order
  if (order === undefined) return yield* Effect.fail(new OrderNotExplainable({ orderKey, reason: "no_details" }))
  const routable: RoutableOrder = {
    orderKey,
    company: order.company,
    products: order.products,
    ...(order.partner === undefined ? {} : { partner: order.partner })
  }
  const planned = events.flatMap((e) =>
    e.event._tag === "DispatchPlanned" ? [{ recordedAt: e.recordedAt.toISOString(), plan: e.event }] : []
  )
  return {
    orderKey,
    order: routable,
    status: state.ignored ? "ignored" : state.status,
    explanation: explain(routable, config.rules, [...config.targets.values()]),
    planned
  } satisfies OrderExplanation
})
