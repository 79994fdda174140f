// Compact builders for rule tables: rules as "company/product/partner" patterns.
import type { Rule } from "../../src/events/configSchema.js"
import type { RoutingTarget } from "../../src/rules/explain.js"
import type { RoutableOrder } from "../../src/rules/match.js"

const split = (patterns: string) => {
  const [company = "", product = "", partner = ""] = patterns.split("/")
  return { company, product, partner }
}

/** An inclusion: `inc("acme-google", "acme/*\/google", "google-acme")`. */
export const inc = (id: string, patterns: string, target?: string): Rule => ({
  id,
  ...split(patterns),
  ...(target === undefined ? {} : { target })
})

/** An exclusion, of every target or of one. */
export const exc = (id: string, patterns: string, target?: string): Rule => ({
  ...inc(id, patterns, target),
  exclude: true
})

export const order = (company: string, products: ReadonlyArray<string>, partner?: string): RoutableOrder => ({
  company,
  products,
  ...(partner === undefined ? {} : { partner })
})

export const targets: ReadonlyArray<RoutingTarget> = [
  { id: "google-acme", channel: "google-ads", enabled: true },
  { id: "meta-acme", channel: "meta-capi", enabled: true },
  { id: "awin", channel: "postback", enabled: true },
  { id: "old-network", channel: "postback", enabled: false }
]
