// Plain-text renderings for the CLI (`s2s rules explain`, `s2s rules list`): fixed-width columns,
// no colour, stable across runs so the output can be diffed and pasted into a ticket.
import type { Rule } from "../events/configSchema.js"
import type { Explanation } from "./explain.js"
import type { RoutableOrder } from "./match.js"

const table = (rows: ReadonlyArray<ReadonlyArray<string>>, indent = "  "): ReadonlyArray<string> => {
  const widths: Array<number> = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  return rows.map((row) =>
    (indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).trimEnd()
  )
}

const identity = (order: RoutableOrder) => {
  const products = order.products.length === 0 ? "(none)" : order.products.join(", ")
  return `company ${order.company}, products ${products}, partner ${order.partner ?? "(none)"}`
}

const pattern = (rule: Pick<Rule, "company" | "product" | "partner">) =>
  `${rule.company}/${rule.product}/${rule.partner}`

export const formatExplanation = (order: RoutableOrder, explanation: Explanation): string => {
  const header = `${order.orderKey === undefined ? "Order" : `Order ${order.orderKey}`}: ${identity(order)}`
  const targets =
    explanation.targets.length === 0
      ? ["Targets: none"]
      : [
          `Targets (${explanation.targets.length}):`,
          ...table(
            explanation.targets.map((t) => [t.targetId, t.channel, `rule ${t.ruleId} (specificity ${t.specificity})`])
          )
        ]
  const decisions =
    explanation.decisions.length === 0
      ? ["Rules: none defined"]
      : [
          `Rules (${explanation.decisions.length}, in order):`,
          ...table(
            explanation.decisions.map((d) => [
              d.ruleId,
              d.exclude ? `exclude ${d.target ?? "*"}` : `-> ${d.target ?? "?"}`,
              d.outcome,
              d.detail
            ])
          )
        ]
  return [header, "", ...targets, "", ...decisions].join("\n")
}

/** `s2s rules list`: one line per rule, in position order. */
export const formatRules = (rules: ReadonlyArray<Rule>): string =>
  rules.length === 0
    ? "No rules defined."
    : table(
        rules.map((r) => [
          r.id,
          pattern(r),
          r.exclude === true ? `exclude ${r.target ?? "*"}` : `-> ${r.target ?? "?"}`,
          r.description ?? ""
        ]),
        ""
      ).join("\n")
