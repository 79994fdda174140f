// The shape of s2s.yaml, and of the configuration entities recorded in config events. It lives in
// events/ because those events (config.ts) carry its entities; config/ loads, resolves and applies it.
//
// Decoding s2s.yaml uses `onExcessProperty: "error"`, so an unknown key is an error naming its path.
// Secrets are never values: every secret field is an `env:NAME` reference, resolved only where it is
// used (config/Secrets.ts), so it cannot reach the event log, logs or error messages.
//
// One file per part of it, in configSchema/: fields.ts (ids, globs, codes, secret references),
// duration.ts, source.ts, target.ts, routing.ts (products, partners, rules), alerts.ts.
import { Schema } from "effect"
import { Alerts } from "./configSchema/alerts.js"
import { PartnerRule, ProductMapping, Rule } from "./configSchema/routing.js"
import { Source } from "./configSchema/source.js"
import { Target } from "./configSchema/target.js"

export { Alerts } from "./configSchema/alerts.js"
export { DurationText, durationMillis } from "./configSchema/duration.js"
export { SECRET_REF_MESSAGE, SecretField, SecretRef } from "./configSchema/fields.js"
export { PartnerCondition, PartnerRule, ProductMapping, Rule } from "./configSchema/routing.js"
export { Source, SourceCompany, SourceKind, TrackingField } from "./configSchema/source.js"
export {
  type ChannelName,
  GoogleAdsTarget,
  MetaTarget,
  PostbackTarget,
  Target
} from "./configSchema/target.js"

export const ConfigFile = Schema.Struct({
  sources: Schema.optionalWith(Schema.Array(Source), { default: () => [] }),
  products: Schema.optionalWith(Schema.Array(ProductMapping), { default: () => [] }),
  partners: Schema.optionalWith(Schema.Array(PartnerRule), { default: () => [] }),
  targets: Schema.optionalWith(Schema.Array(Target), { default: () => [] }),
  rules: Schema.optionalWith(Schema.Array(Rule), { default: () => [] }),
  alerts: Schema.optional(Alerts)
})
export type ConfigFile = typeof ConfigFile.Type
