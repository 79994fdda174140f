// What routes an order to targets: products mapped from skus and ids, partners recognised from the
// order's tracking fields, and the rules from (company, product, partner) to a target.
import { Schema } from "effect"
import { Glob, Id } from "./fields.js"

export const ProductMapping = Schema.Struct({
  match: Schema.Struct({
    sku: Schema.optional(Glob),
    productId: Schema.optional(Glob),
    source: Schema.optional(Glob),
    company: Schema.optional(Glob)
  }),
  product: Id
})
export type ProductMapping = typeof ProductMapping.Type

/** `gclid` or `sub1` (field present) or `utm_source=google` (field equals, case-insensitive; globs allowed). */
export const PartnerCondition = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]+(=.+)?$/, {
    message: () => 'partner conditions look like "gclid", "sub1" or "utm_source=google"'
  })
)
export const PartnerRule = Schema.Struct({
  id: Id,
  when: Schema.Array(PartnerCondition).pipe(Schema.minItems(1))
})
export type PartnerRule = typeof PartnerRule.Type

export const Rule = Schema.Struct({
  id: Id,
  company: Glob,
  product: Glob,
  partner: Glob,
  target: Schema.optional(Id),
  exclude: Schema.optional(Schema.Boolean),
  description: Schema.optional(Schema.String)
})
export type Rule = typeof Rule.Type
