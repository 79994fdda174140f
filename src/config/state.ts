// The current configuration, folded from the config streams (config:source:ID, config:target:ID,
// config:rule:ID, config:products, config:partners, config:alerts). Pure, so `config show`, the
// running service and `config apply`'s diff all agree on what "current" means.
import type { RecordedEvent } from "../events/EventStore.js"
import type { Alerts, PartnerRule, ProductMapping, Rule, Source, Target } from "./schema.js"

export interface ConfigSnapshot {
  readonly sources: ReadonlyMap<string, Source>
  readonly targets: ReadonlyMap<string, Target>
  /** Rules in the order of the file they were applied from. */
  readonly rules: ReadonlyArray<Rule>
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
  products: [],
  partners: [],
  alerts: undefined,
  versions: new Map(),
  position: 0
}

export const streams = {
  source: (id: string) => `config:source:${id}`,
  target: (id: string) => `config:target:${id}`,
  rule: (id: string) => `config:rule:${id}`,
  products: "config:products",
  partners: "config:partners",
  alerts: "config:alerts"
} as const

export const CONFIG_PREFIX = "config:"

export const foldConfig = (
  events: ReadonlyArray<RecordedEvent>,
  from: ConfigSnapshot = emptySnapshot
): ConfigSnapshot => {
  const sources = new Map(from.sources)
  const targets = new Map(from.targets)
  const rules = new Map<string, { rule: Rule; position: number }>(
    from.rules.map((r, i) => [r.id, { rule: r, position: i }])
  )
  const versions = new Map(from.versions)
  let { products, partners, alerts, position } = from
  for (const { event, streamId, version, position: p } of events) {
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
        rules.set(event.rule.id, { rule: event.rule, position: event.position })
        break
      case "RuleRemoved":
        rules.delete(event.ruleId)
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
    rules: [...rules.values()].sort((a, b) => a.position - b.position).map((r) => r.rule),
    products,
    partners,
    alerts,
    versions,
    position
  }
}
