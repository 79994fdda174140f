// The current configuration, folded from the config streams (config:source:ID, config:target:ID,
// config:rule:ID, config:products, config:partners, config:alerts). Pure, so `config show`, the
// running service and `config apply`'s diff all agree on what "current" means. Rule events go through
// the rules projection's own evolve (rules/ruleSet.ts), so routing, `rules list` and `rules explain`
// share one definition of the current rule set and its order.

import type { Alerts, PartnerRule, ProductMapping, Rule, Source, Target } from "../events/configSchema.js"
import type { RecordedEvent } from "../events/EventStore.js"
import { currentRules, emptyRuleSet, evolveRuleSet, type RuleSetState } from "./ruleSet.js"

export interface ConfigSnapshot {
  readonly sources: ReadonlyMap<string, Source>
  readonly targets: ReadonlyMap<string, Target>
  /** Rules in the order of the file they were applied from (position, ties by id): currentRules(ruleSet). */
  readonly rules: ReadonlyArray<Rule>
  /** The current rules with their positions and every rule's history. */
  readonly ruleSet: RuleSetState
  readonly products: ReadonlyArray<ProductMapping>
  readonly partners: ReadonlyArray<PartnerRule>
  readonly alerts: Alerts | undefined
  /** Version of every config stream, for optimistic concurrency of the next apply. */
  readonly versions: ReadonlyMap<string, number>
  /** Global position of the last config event folded in (0 when there is none). */
  readonly position: number
}

export const emptySnapshot: ConfigSnapshot = {
  sources: new Map(),
  targets: new Map(),
  rules: [],
  ruleSet: emptyRuleSet,
  products: [],
  partners: [],
  alerts: undefined,
  versions: new Map(),
  position: 0
}

export { CONFIG_PREFIX, configStreams as streams } from "../events/streams.js"

export const foldConfig = (
  events: ReadonlyArray<RecordedEvent>,
  from: ConfigSnapshot = emptySnapshot
): ConfigSnapshot => {
  const sources = new Map(from.sources)
  const targets = new Map(from.targets)
  let ruleSet = from.ruleSet
  const versions = new Map(from.versions)
  let { products, partners, alerts, position } = from
  for (const recorded of events) {
    const { event, streamId, version, position: p } = recorded
    versions.set(streamId, version)
    position = Math.max(position, p)
    switch (event._tag) {
      case "SourceRegistered":
      case "SourceChanged":
        sources.set(event.source.id, event.source)
        break
      case "SourceRemoved":
        sources.delete(event.sourceId)
        break
      case "TargetDefined":
      case "TargetChanged":
        targets.set(event.target.id, event.target)
        break
      case "TargetRemoved":
        targets.delete(event.targetId)
        break
      case "RuleDefined":
      case "RuleChanged":
      case "RuleRemoved":
        ruleSet = evolveRuleSet(ruleSet, recorded)
        break
      case "ProductMappingsChanged":
        products = event.mappings
        break
      case "PartnerRulesChanged":
        partners = event.partners
        break
      case "AlertSettingsChanged":
        alerts = event.alerts ?? undefined
        break
      default:
        break
    }
  }
  return {
    sources,
    targets,
    rules: currentRules(ruleSet),
    ruleSet,
    products,
    partners,
    alerts,
    versions,
    position
  }
}
