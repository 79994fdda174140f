// `s2s rules list [--json]` and `s2s rules explain ORDER_KEY [--json]`: the current rule set with its
// history, and why an order goes where under the current rules (next to what was recorded when it
// was planned).
import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { CoreLive } from "../main.js"
import { formatExplanation, formatRules } from "../rules/format.js"
import { toExplanationJson, toRulesList } from "../rules/rulesJson.js"
import { explainOrder, listRules, type OrderExplanation } from "../rules/rulesView.js"
import { print, printJson, table } from "./output.js"

const json = Options.boolean("json").pipe(Options.withDescription("print JSON (the API's shape)"))

const list = Command.make("list", { json }, ({ json }) =>
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
  }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("List the current routing rules in position order, with their change history"))

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

const explain = Command.make(
  "explain",
  { orderKey: Args.text({ name: "ORDER_KEY" }).pipe(Args.withDescription("e.g. shop-de:1001")), json },
  ({ orderKey, json }) =>
    Effect.gen(function* () {
      const explanation = yield* explainOrder(orderKey)
      if (json) return yield* printJson(toExplanationJson(explanation))
      yield* print(formatExplanation(explanation.order, explanation.explanation))
      if (explanation.status === "ignored")
        yield* print("\nNote: the order is ignored (test order, re-shipment, ...): it is never dispatched.")
      yield* print("")
      for (const line of formatPlanned(explanation)) yield* print(line)
    }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("Explain which targets an order goes to under the current rules, and why"))

export const rules = Command.make("rules").pipe(
  Command.withDescription("Inspect the routing rules"),
  Command.withSubcommands([list, explain])
)
