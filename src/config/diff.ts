// Turns a validated s2s.yaml into the events that take the current configuration there. Applying the
// same file twice yields nothing the second time. Each append expects the stream's current version,
// so two concurrent applies conflict instead of interleaving.

import type { ConfigFile } from "../events/configSchema.js"
import type { PendingAppend } from "../events/EventStore.js"
import { type ConfigSnapshot, streams } from "./state.js"

/** JSON with sorted keys, for structural comparison of configuration entities. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : v
  )

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b)

const changedFields = (before: object, after: object): Array<string> => {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...keys]
    .filter((k) => !same((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k]))
    .sort()
}

export const planConfigChanges = (current: ConfigSnapshot, file: ConfigFile): ReadonlyArray<PendingAppend> => {
  const appends: Array<PendingAppend> = []
  const version = (stream: string) => current.versions.get(stream) ?? 0
  const push = (streamId: string, events: PendingAppend["events"]) =>
    appends.push({ streamId, expectedVersion: version(streamId), events })

  const fileSources = new Map(file.sources.map((s) => [s.id, s]))
  for (const source of file.sources) {
    const before = current.sources.get(source.id)
    if (before === undefined) push(streams.source(source.id), [{ _tag: "SourceRegistered", source }])
    else if (!same(before, source))
      push(streams.source(source.id), [{ _tag: "SourceChanged", source, changedFields: changedFields(before, source) }])
  }
  for (const id of current.sources.keys())
    if (!fileSources.has(id)) push(streams.source(id), [{ _tag: "SourceRemoved", sourceId: id }])

  const fileTargets = new Map(file.targets.map((t) => [t.id, t]))
  for (const target of file.targets) {
    const before = current.targets.get(target.id)
    if (before === undefined) push(streams.target(target.id), [{ _tag: "TargetDefined", target }])
    else if (!same(before, target))
      push(streams.target(target.id), [{ _tag: "TargetChanged", target, changedFields: changedFields(before, target) }])
  }
  for (const id of current.targets.keys())
    if (!fileTargets.has(id)) push(streams.target(id), [{ _tag: "TargetRemoved", targetId: id }])

  const currentRules = new Map(current.rules.map((r, i) => [r.id, { rule: r, position: i }]))
  const fileRules = new Set(file.rules.map((r) => r.id))
  file.rules.forEach((rule, position) => {
    const before = currentRules.get(rule.id)
    if (before === undefined) push(streams.rule(rule.id), [{ _tag: "RuleDefined", rule, position }])
    else if (!same(before.rule, rule) || before.position !== position) {
      const fields = changedFields(before.rule, rule)
      push(streams.rule(rule.id), [
        {
          _tag: "RuleChanged",
          rule,
          position,
          previous: before.rule,
          changedFields: before.position !== position ? [...fields, "position"] : fields
        }
      ])
    }
  })
  for (const [id, { rule }] of currentRules)
    if (!fileRules.has(id)) push(streams.rule(id), [{ _tag: "RuleRemoved", ruleId: id, previous: rule }])

  if (!same(current.products, file.products))
    push(streams.products, [{ _tag: "ProductMappingsChanged", mappings: file.products }])
  if (!same(current.partners, file.partners))
    push(streams.partners, [{ _tag: "PartnerRulesChanged", partners: file.partners }])
  if (!same(current.alerts ?? null, file.alerts ?? null))
    push(streams.alerts, [{ _tag: "AlertSettingsChanged", alerts: file.alerts ?? null }])
  return appends
}
