// The rules read side in the API's JSON shape (RulesApi.ts), shared by the HTTP handlers and `--json`
// on the CLI, so both print the same document.
import type { RuleExplanation, RulesList } from "./RulesApi.js"
import type { ListedRule, OrderExplanation } from "./rulesView.js"

const toRuleJson = (r: ListedRule) => ({
  ruleId: r.ruleId,
  position: r.position,
  current: r.current,
  rule: r.rule,
  history: r.history.map((h) => ({
    type: h.type,
    at: h.at,
    actor: h.actor,
    rule: h.rule,
    position: h.position ?? null,
    changedFields: h.changedFields ?? []
  }))
})

export const toRulesList = (rules: ReadonlyArray<ListedRule>): RulesList => ({
  rules: rules.filter((r) => r.current).map(toRuleJson),
  removed: rules.filter((r) => !r.current).map(toRuleJson)
})

export const toExplanationJson = (e: OrderExplanation): RuleExplanation => ({
  orderKey: e.orderKey,
  order: { company: e.order.company, products: e.order.products, partner: e.order.partner ?? null },
  status: e.status,
  targets: e.explanation.targets,
  decisions: e.explanation.decisions.map((d) => ({
    ruleId: d.ruleId,
    outcome: d.outcome,
    detail: d.detail,
    exclude: d.exclude,
    target: d.target ?? null,
    specificity: d.specificity
  })),
  planned: e.planned.map((p) => ({
    recordedAt: p.recordedAt,
    trigger: p.plan.trigger,
    targets: p.plan.targets,
    decisions: p.plan.decisions
  }))
})
