// `s2s rules ...`: what the commands defined in ../rules.ts do.
import { Effect } from "effect"
import { formatExplanation, formatRules } from "../../rules/format.js"
import { toExplanationJson, toRulesList } from "../../rules/rulesJson.js"
import { explainOrder, listRules, type OrderExplanation } from "../../rules/rulesView.js"
import { print, printJson, table } from "../output.js"
import type { ExplainInput, ListInput } from "../rules.js"
import { withCore } from "../stages.js"

export const list = ({ json }: ListInput) =>
  Effect.gen(function* () {
    const rules = yield* listRules()
    if (json) return yield* printJson(toRulesList(rules))
    const current = rules.filter((r) => r.current)
    yield* print(formatRules(current.map((r) => r.rule)))
    const changes = rules.flatMap((r) =>
      r.history.map((h) => [h.at, r.ruleId, h.type, h.actor ?? "-", (h.changedFields ?? []).join(", ")])
    )
    if (changes.length > 0) {
      yield* print("")
      yield* print("History:")
      yield* print(
        table(
          ["TIME", "RULE", "CHANGE", "BY", "FIELDS"],
          changes.sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
        )
      )
    }
  }).pipe(withCore)

const formatPlanned = (e: OrderExplanation) =>
  e.planned.length === 0
    ? ["Recorded: not planned yet (the order is not paid, or is ignored)"]
    : e.planned.flatMap((p) => [
        `Recorded at ${p.recordedAt} (trigger ${p.plan.trigger}): ${
          p.plan.targets.map((t) => `${t.targetId} (${t.kind}, rule ${t.ruleId})`).join(", ") || "no target"
        }`,
        ...(p.plan.decisions.length === 0
          ? []
          : [
              table(
                ["RULE", "OUTCOME", "DETAIL"],
                p.plan.decisions.map((d) => [d.ruleId, d.outcome, d.detail])
              )
            ])
      ])

export const explain = ({ orderKey, json }: ExplainInput) =>
  Effect.gen(function* () {
    const explanation = yield* explainOrder(orderKey)
    if (json) return yield* printJson(toExplanationJson(explanation))
    yield* print(formatExplanation(explanation.order, explanation.explanation))
    if (explanation.status === "ignored")
      yield* print("\nNote: the order is ignored (test order, re-shipment, ...): it is never dispatched.")
    yield* print("")
    for (const line of formatPlanned(explanation)) yield* print(line)
  }).pipe(withCore)
