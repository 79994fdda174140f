// Configuration changes, one stream per entity (config:source:ID, config:target:ID, config:rule:ID,
// config:products, config:partners, config:alerts), so every rule has its own full history.
import { Schema } from "effect"
import { Alerts, PartnerRule, ProductMapping, Rule, Source, Target } from "./configSchema.js"

export const SourceRegistered = Schema.TaggedStruct("SourceRegistered", { source: Source })
export const SourceChanged = Schema.TaggedStruct("SourceChanged", {
  source: Source,
  changedFields: Schema.Array(Schema.String)
})
export const SourceRemoved = Schema.TaggedStruct("SourceRemoved", { sourceId: Schema.String })

export const TargetDefined = Schema.TaggedStruct("TargetDefined", { target: Target })
export const TargetChanged = Schema.TaggedStruct("TargetChanged", {
  target: Target,
  changedFields: Schema.Array(Schema.String)
})
export const TargetRemoved = Schema.TaggedStruct("TargetRemoved", { targetId: Schema.String })

export const RuleDefined = Schema.TaggedStruct("RuleDefined", { rule: Rule, position: Schema.Int })
export const RuleChanged = Schema.TaggedStruct("RuleChanged", {
  rule: Rule,
  position: Schema.Int,
  previous: Rule,
  changedFields: Schema.Array(Schema.String)
})
export const RuleRemoved = Schema.TaggedStruct("RuleRemoved", { ruleId: Schema.String, previous: Rule })

export const ProductMappingsChanged = Schema.TaggedStruct("ProductMappingsChanged", {
  mappings: Schema.Array(ProductMapping)
})
export const PartnerRulesChanged = Schema.TaggedStruct("PartnerRulesChanged", { partners: Schema.Array(PartnerRule) })
export const AlertSettingsChanged = Schema.TaggedStruct("AlertSettingsChanged", {
  alerts: Schema.NullOr(Alerts)
})

export const ApiTokenCreated = Schema.TaggedStruct("ApiTokenCreated", {
  tokenId: Schema.String,
  scope: Schema.String,
  sourceId: Schema.optional(Schema.String),
  label: Schema.optional(Schema.String)
})
export const ApiTokenRevoked = Schema.TaggedStruct("ApiTokenRevoked", { tokenId: Schema.String })

export const configEvents = [
  SourceRegistered,
  SourceChanged,
  SourceRemoved,
  TargetDefined,
  TargetChanged,
  TargetRemoved,
  RuleDefined,
  RuleChanged,
  RuleRemoved,
  ProductMappingsChanged,
  PartnerRulesChanged,
  AlertSettingsChanged,
  ApiTokenCreated,
  ApiTokenRevoked
] as const
