// Matching one rule against one order, dimension by dimension. Pure; the precedence between rules
// lives in explain.ts. See README.md for the semantics (missing partner, several products, globs).

import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { Rule } from "../events/configSchema.js"
import { globMatch, isMatchAll } from "../lib/glob.js"

/** What routing reads from an order. */
export type RoutableOrder = Pick<CanonicalOrder, "company" | "products" | "partner"> & {
  readonly orderKey?: string | undefined
}

export type Dimension = "company" | "product" | "partner"
export const DIMENSIONS: ReadonlyArray<Dimension> = ["company", "product", "partner"]

export interface DimensionMiss {
  readonly dimension: Dimension
  readonly pattern: string
  /** The order's values for that dimension (empty when it has none). */
  readonly values: ReadonlyArray<string>
}

/** Number of dimensions whose pattern is not match-all: `acme/*\/*` is 1, `*\/sample-*\/*` is 1 too. */
export const specificity = (rule: Pick<Rule, Dimension>): number =>
  DIMENSIONS.reduce((n, d) => (isMatchAll(rule[d]) ? n : n + 1), 0)

const orderValues = (order: RoutableOrder, dimension: Dimension): ReadonlyArray<string> => {
  switch (dimension) {
    case "company":
      return [order.company]
    case "product":
      return order.products
    case "partner":
      return order.partner === undefined || order.partner === "" ? [] : [order.partner]
  }
}

// A missing partner (or an order without products) is matched by `*` only: "any partner" includes
// "no partner", while `awin` or `aff-*` always asks for a recognised partner.
const dimensionMatches = (pattern: string, values: ReadonlyArray<string>): boolean =>
  isMatchAll(pattern) || values.some((value) => globMatch(pattern, value))

/** The dimensions of the rule the order fails; empty when the rule matches. */
export const misses = (rule: Pick<Rule, Dimension>, order: RoutableOrder): ReadonlyArray<DimensionMiss> =>
  DIMENSIONS.flatMap((dimension) => {
    const values = orderValues(order, dimension)
    return dimensionMatches(rule[dimension], values) ? [] : [{ dimension, pattern: rule[dimension], values }]
  })

export const matches = (rule: Pick<Rule, Dimension>, order: RoutableOrder): boolean => misses(rule, order).length === 0

const quote = (value: string) => JSON.stringify(value)

export const describeMiss = (miss: DimensionMiss): string => {
  if (miss.values.length === 0) return `${miss.dimension}: the order has none, ${quote(miss.pattern)} needs one`
  if (miss.values.length === 1)
    return `${miss.dimension}: ${quote(miss.values[0] ?? "")} does not match ${quote(miss.pattern)}`
  return `${miss.dimension}: none of ${miss.values.map(quote).join(", ")} matches ${quote(miss.pattern)}`
}
