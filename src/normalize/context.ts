import type { PartnerRule, ProductMapping, Source } from "../events/configSchema.js"

/** The configuration normalization reads: the webhook's source, every source (for ordersOf), mappings, rules. */
export interface NormalizeContext {
  readonly source: Source
  readonly sources: ReadonlyMap<string, Source>
  readonly products: ReadonlyArray<ProductMapping>
  readonly partners: ReadonlyArray<PartnerRule>
}
