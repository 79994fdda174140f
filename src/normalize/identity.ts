// The identity triple routing matches on: company (the source's brand), products (from the configured
// product mappings) and partner (from the partner rules), plus the market.
//
// Partner rules: a condition is a tracking field name ("gclid": the field is present) or
// "field=pattern" ("utm_source=google": equal, case-insensitive, `*` and `?` allowed). First match wins,
// click ids before utm: the click-id conditions of all rules are tried first (in rule order, then
// condition order), then the utm conditions, then the rest (fbp, coupon, referrer, landing_url). A click
// id names the click that led to the order; a utm value is only a campaign label that a later visit can
// overwrite, so an order with an awc and utm_source=google is awin's whatever the rule order.

import type { LineItem, Tracking } from "../events/CanonicalOrder.js"
import type { PartnerRule, ProductMapping } from "../events/configSchema.js"
import { globMatch } from "../lib/glob.js"

const COUNTRY = /^[A-Z]{2}$/

/** ISO 3166-1 alpha-2 in upper case, or undefined ("de" -> "DE"; "Germany" -> undefined). */
export const countryCode = (raw: string | undefined): string | undefined => {
  const code = raw?.trim().toUpperCase()
  return code !== undefined && COUNTRY.test(code) ? code : undefined
}

/** Billing country, then shipping country, then the source's default market. */
export const marketOf = (
  billing: string | undefined,
  shipping: string | undefined,
  fallback: string | undefined
): string | undefined => countryCode(billing) ?? countryCode(shipping) ?? countryCode(fallback)

export interface ProductScope {
  readonly sourceId: string
  readonly company: string
}

const matches = (pattern: string | undefined, value: string | undefined): boolean =>
  pattern === undefined || (value !== undefined && globMatch(pattern, value))

/** The first mapping whose every stated criterion matches; else the sku, else the product id. */
export const productFor = (
  item: Pick<LineItem, "sku" | "productId">,
  mappings: ReadonlyArray<ProductMapping>,
  scope: ProductScope
): string | undefined => {
  const mapping = mappings.find(
    (m) =>
      matches(m.match.sku, item.sku) &&
      matches(m.match.productId, item.productId) &&
      matches(m.match.source, scope.sourceId) &&
      matches(m.match.company, scope.company)
  )
  return mapping?.product ?? item.sku ?? item.productId
}

/**
 * Products of an order, distinct, in line-item order. An order without line items (a Stripe payment)
 * gets the products of mappings that name neither sku nor productId, so `{ match: { source: stripe-* },
 * product: membership }` still identifies it.
 */
export const productsOf = (
  items: ReadonlyArray<Pick<LineItem, "sku" | "productId">>,
  mappings: ReadonlyArray<ProductMapping>,
  scope: ProductScope
): ReadonlyArray<string> => {
  if (items.length === 0) {
    const general = mappings.find(
      (m) =>
        m.match.sku === undefined &&
        m.match.productId === undefined &&
        matches(m.match.source, scope.sourceId) &&
        matches(m.match.company, scope.company)
    )
    return general ? [general.product] : []
  }
  const products: Array<string> = []
  for (const item of items) {
    const product = productFor(item, mappings, scope)
    if (product !== undefined && !products.includes(product)) products.push(product)
  }
  return products
}

/** The value of a tracking field by its config name (gclid, utm_source, awc, landing_url, ...). */
export const trackingValue = (tracking: Tracking, field: string): string | undefined => {
  switch (field) {
    case "gclid":
    case "gbraid":
    case "wbraid":
    case "fbclid":
    case "fbc":
    case "fbp":
    case "coupon":
    case "referrer":
      return tracking[field]
    case "landing_url":
      return tracking.landingUrl
    case "utm_source":
    case "utm_medium":
    case "utm_campaign":
    case "utm_content":
    case "utm_term":
      return tracking.utm[field.slice(4) as "source" | "medium" | "campaign" | "content" | "term"]
    // Everflow / TUNE's transaction_id is kept under clickid (tracking.ts reads it from the URL).
    case "transaction_id":
      return tracking.clickIds.transaction_id ?? tracking.clickIds.clickid
    default:
      return tracking.clickIds[field]
  }
}

/** Does one condition ("gclid", "utm_source=google", "utm_source=*google*") hold for the order? */
export const conditionHolds = (condition: string, tracking: Tracking): boolean => {
  const eq = condition.indexOf("=")
  const value = trackingValue(tracking, eq < 0 ? condition : condition.slice(0, eq))
  if (value === undefined || value === "") return false
  return eq < 0 || globMatch(condition.slice(eq + 1), value)
}

export interface PartnerMatch {
  readonly partner: string
  readonly condition: string
}

const OTHER_SIGNALS: ReadonlySet<string> = new Set(["fbp", "coupon", "referrer", "landing_url"])

/** 0: a click id (gclid, fbclid, fbc, awc, clickid, sub1, ...), 1: a utm value, 2: any other signal. */
export const conditionTier = (condition: string): 0 | 1 | 2 => {
  const eq = condition.indexOf("=")
  const field = eq < 0 ? condition : condition.slice(0, eq)
  return field.startsWith("utm_") ? 1 : OTHER_SIGNALS.has(field) ? 2 : 0
}

/** The partner by the first condition that holds, tier by tier (click ids, utm, rest), each in config order. */
export const partnerFor = (tracking: Tracking, rules: ReadonlyArray<PartnerRule>): PartnerMatch | undefined => {
  for (const tier of [0, 1, 2] as const) {
    for (const rule of rules) {
      const condition = rule.when.find((c) => conditionTier(c) === tier && conditionHolds(c, tracking))
      if (condition !== undefined) return { partner: rule.id, condition }
    }
  }
  return undefined
}
