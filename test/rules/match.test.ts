import { describe, expect, it } from "vitest"
import { describeMiss, matches, misses, specificity } from "../../src/rules/match.js"
import { inc, order } from "./fixtures.js"

describe("specificity", () => {
  it.each([
    ["*/*/*", 0],
    ["acme/*/*", 1],
    ["*/sample-*/*", 1],
    ["**/*/awin", 1],
    ["acme/*/google", 2],
    ["acme/sample-kit/awin", 3],
    ["brand-*/v?t/aff-*", 3]
  ] as const)("%s has specificity %i", (patterns, expected) => {
    expect(specificity(inc("r", patterns))).toBe(expected)
  })
})

describe("matching one rule", () => {
  const cases = [
    { rule: "*/*/*", order: order("acme", ["vitamins"], "awin"), matches: true },
    { rule: "*/*/*", order: order("acme", [], undefined), matches: true },
    { rule: "acme/*/*", order: order("ACME", ["x"]), matches: true },
    { rule: "beta/*/*", order: order("acme", ["x"]), matches: false },
    { rule: "brand-*/*/*", order: order("brand-x", ["x"]), matches: true },
    { rule: "brand-*/*/*", order: order("acme", ["x"]), matches: false },
    { rule: "*/sample-*/*", order: order("acme", ["vitamins", "sample-kit"]), matches: true },
    { rule: "*/sample-*/*", order: order("acme", ["vitamins"]), matches: false },
    { rule: "*/sample-*/*", order: order("acme", []), matches: false },
    { rule: "*/*/awin", order: order("acme", ["x"], "awin"), matches: true },
    { rule: "*/*/awin", order: order("acme", ["x"]), matches: false },
    { rule: "*/*/?*", order: order("acme", ["x"]), matches: false },
    { rule: "*/*/aff-*", order: order("acme", ["x"], "aff-12"), matches: true },
    { rule: "*/*/*", order: order("acme", ["x"], ""), matches: true },
    { rule: "*/*/awin", order: order("acme", ["x"], ""), matches: false }
  ]
  it.each(cases)("$rule vs $order.company/$order.products/$order.partner -> $matches", (c) => {
    expect(matches(inc("r", c.rule), c.order)).toBe(c.matches)
  })

  it("names every failing dimension and the order's values", () => {
    const found = misses(inc("r", "beta/sample-*/google"), order("acme", ["vitamins", "tea"]))
    expect(found.map(describeMiss)).toEqual([
      'company: "acme" does not match "beta"',
      'product: none of "vitamins", "tea" matches "sample-*"',
      'partner: the order has none, "google" needs one'
    ])
    expect(misses(inc("r", "*/x/*"), order("acme", [])).map(describeMiss)).toEqual([
      'product: the order has none, "x" needs one'
    ])
  })
})
