// Routing: which targets an order goes to, and why, for every rule. Consumes the current rule set (in
// position order), the defined targets and the order's identity (company, products, partner); emits
// the routed targets and one decision per rule, recorded in DispatchPlanned. Pure and total: a rule
// pointing at an unknown target is a decision (target_missing), never an error.
//
// Precedence (README.md has the full table): a matching exclusion blocks a matching rule unless that
// rule is strictly more specific AND constrains every dimension the exclusion constrains (an exception
// must name what it is an exception to). Among the rules that survive, the most specific one is
// credited with the target, the first of equals when tied.
import type { Rule } from "../events/configSchema.js"
import type { DispatchKind, PlannedTarget, RuleDecision } from "../events/dispatch.js"
import { isMatchAll } from "../lib/glob.js"
import { DIMENSIONS, type DimensionMiss, describeMiss, misses, type RoutableOrder, specificity } from "./match.js"

/** What routing needs to know about a target. */
export interface RoutingTarget {
  readonly id: string
  readonly channel: string
  readonly enabled?: boolean | undefined
}

export interface RoutedTarget {
  readonly targetId: string
  readonly channel: string
  /** The rule credited with the target: the most specific surviving one, the first of equals. */
  readonly ruleId: string
  readonly specificity: number
}

export type RuleOutcome = (typeof RuleDecision.Type)["outcome"]

/** A RuleDecision plus what a reader needs to render it; the extra fields are dropped when encoded. */
export interface ExplainedDecision {
  readonly ruleId: string
  readonly outcome: RuleOutcome
  readonly detail: string
  readonly exclude: boolean
  readonly target?: string | undefined
  readonly specificity: number
}

export interface Explanation {
  readonly targets: ReadonlyArray<RoutedTarget>
  readonly decisions: ReadonlyArray<ExplainedDecision>
}

interface Evaluated {
  readonly rule: Rule
  readonly index: number
  readonly specificity: number
  readonly misses: ReadonlyArray<DimensionMiss>
}

const appliesTo = (exclusion: Evaluated, targetId: string) =>
  exclusion.rule.target === undefined || exclusion.rule.target === targetId

/** Why `exclusion` blocks `rule`, or undefined when the rule overrides it. */
const blockReason = (exclusion: Evaluated, rule: Evaluated): string | undefined => {
  const unnamed = DIMENSIONS.filter((d) => !isMatchAll(exclusion.rule[d]) && isMatchAll(rule.rule[d]))
  if (unnamed.length > 0) return `it constrains ${unnamed.join(" and ")}, this rule does not`
  if (rule.specificity <= exclusion.specificity) return `specificity ${exclusion.specificity} >= ${rule.specificity}`
  return undefined
}

/** The most specific, the first of equals. */
const strongest = (rules: ReadonlyArray<Evaluated>): Evaluated | undefined =>
  rules.reduce<Evaluated | undefined>(
    (top, r) => (top === undefined || r.specificity > top.specificity ? r : top),
    undefined
  )

// The strongest blocker is the one reported.
const blockerOf = (rule: Evaluated, exclusions: ReadonlyArray<Evaluated>) =>
  strongest(exclusions.filter((x) => appliesTo(x, rule.rule.target ?? "") && blockReason(x, rule) !== undefined))

const ruleRef = (e: Evaluated) => `${e.rule.id} (specificity ${e.specificity})`

export const explain = (
  order: RoutableOrder,
  rules: ReadonlyArray<Rule>,
  targets: ReadonlyArray<RoutingTarget>
): Explanation => {
  const targetsById = new Map(targets.map((t) => [t.id, t]))
  const evaluated: ReadonlyArray<Evaluated> = rules.map((rule, index) => ({
    rule,
    index,
    specificity: specificity(rule),
    misses: misses(rule, order)
  }))
  const matched = evaluated.filter((e) => e.misses.length === 0)
  const exclusions = matched.filter((e) => e.rule.exclude === true)
  const candidates = matched.filter((e) => {
    const target = e.rule.target === undefined ? undefined : targetsById.get(e.rule.target)
    return e.rule.exclude !== true && target !== undefined && target.enabled !== false
  })
  const blockers = new Map(candidates.map((c) => [c, blockerOf(c, exclusions)]))

  const credited = new Map<string, Evaluated>()
  for (const c of candidates) {
    const targetId = c.rule.target as string
    const current = credited.get(targetId)
    if (blockers.get(c) === undefined && (current === undefined || c.specificity > current.specificity)) {
      credited.set(targetId, c)
    }
  }

  const decide = (e: Evaluated): ExplainedDecision => {
    const base = {
      ruleId: e.rule.id,
      exclude: e.rule.exclude === true,
      target: e.rule.target,
      specificity: e.specificity
    }
    const outcome = (outcome: RuleOutcome, detail: string): ExplainedDecision => ({ ...base, outcome, detail })
    if (e.misses.length > 0) return outcome("not_matched", e.misses.map(describeMiss).join("; "))
    if (e.rule.exclude === true) return outcome(...exclusionDecision(e, candidates, credited, targetsById))
    if (e.rule.target === undefined) return outcome("target_missing", "the rule has neither a target nor exclude: true")
    const target = targetsById.get(e.rule.target)
    if (target === undefined) return outcome("target_missing", `target ${e.rule.target} is not defined`)
    if (target.enabled === false) return outcome("target_disabled", `target ${target.id} is disabled`)
    const winner = credited.get(target.id)
    const blocker = blockers.get(e)
    if (blocker !== undefined) {
      const still = winner === undefined ? "" : `; ${target.id} is still routed by rule ${winner.rule.id}`
      return outcome("excluded_by", `excluded by rule ${blocker.rule.id}: ${blockReason(blocker, e)}${still}`)
    }
    if (winner !== e && winner !== undefined) {
      const why = winner.specificity > e.specificity ? "more specific" : "equally specific, earlier"
      return outcome("matched", `routes to ${target.id}, credited to the ${why} rule ${ruleRef(winner)}`)
    }
    const overridden = exclusions.filter((x) => appliesTo(x, target.id)).map(ruleRef)
    const overrides = overridden.length === 0 ? "" : `, overriding exclusion ${overridden.join(", ")}`
    return outcome("matched", `routes to ${target.id} (specificity ${e.specificity})${overrides}`)
  }

  return {
    targets: [...credited.values()]
      .sort((a, b) => a.index - b.index)
      .map((w) => {
        const target = targetsById.get(w.rule.target as string) as RoutingTarget
        return { targetId: target.id, channel: target.channel, ruleId: w.rule.id, specificity: w.specificity }
      }),
    decisions: evaluated.map(decide)
  }
}

const exclusionDecision = (
  x: Evaluated,
  candidates: ReadonlyArray<Evaluated>,
  credited: ReadonlyMap<string, Evaluated>,
  targetsById: ReadonlyMap<string, RoutingTarget>
): readonly [RuleOutcome, string] => {
  const scope = x.rule.target
  if (scope !== undefined && !targetsById.has(scope)) {
    return ["target_missing", `excludes target ${scope}, which is not defined`]
  }
  const affected = [
    ...new Set(candidates.filter((c) => appliesTo(x, c.rule.target as string)).map((c) => c.rule.target as string))
  ]
  const excluded: Array<string> = []
  const overridden: Array<string> = []
  for (const targetId of affected) {
    const ofTarget = candidates.filter((c) => c.rule.target === targetId)
    const unblocked = ofTarget.filter((c) => blockReason(x, c) === undefined)
    const winner = credited.get(targetId) ?? strongest(unblocked)
    if (winner !== undefined && (credited.has(targetId) || unblocked.length === ofTarget.length)) {
      overridden.push(`for ${targetId} by rule ${ruleRef(winner)}`)
    } else excluded.push(targetId)
  }
  const parts = [
    ...(excluded.length > 0 ? [`excludes ${excluded.join(", ")}`] : []),
    ...(overridden.length > 0 ? [`overridden ${overridden.join(", ")}`] : [])
  ]
  return [
    "excluded",
    parts.length > 0 ? parts.join("; ") : `matches, but no rule routes this order to ${scope ?? "any target"}`
  ]
}

/** The routed targets as the dispatch plan records them. */
export const toPlannedTargets = (
  explanation: Explanation,
  kind: DispatchKind = "conversion"
): ReadonlyArray<typeof PlannedTarget.Type> =>
  explanation.targets.map((t) => ({ targetId: t.targetId, channel: t.channel, ruleId: t.ruleId, kind }))

/** Exactly the RuleDecision fields, for the DispatchPlanned event. */
export const toRuleDecisions = (explanation: Explanation): ReadonlyArray<typeof RuleDecision.Type> =>
  explanation.decisions.map((d) => ({ ruleId: d.ruleId, outcome: d.outcome, detail: d.detail }))
