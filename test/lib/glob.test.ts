import { describe, expect, it } from "vitest"
import { globMatch, hasWildcards, isMatchAll } from "../../src/lib/glob.js"

describe("globMatch", () => {
  const cases: ReadonlyArray<readonly [pattern: string, value: string, expected: boolean]> = [
    ["*", "", true],
    ["*", "anything", true],
    ["acme", "acme", true],
    ["acme", "ACME", true],
    ["acme", "acme2", false],
    ["acme", "acm", false],
    ["brand-*", "brand-", true],
    ["brand-*", "brand-x", true],
    ["brand-*", "xbrand-x", false],
    ["*-kit", "sample-kit", true],
    ["*-kit", "sample-kits", false],
    ["sample-*-de", "sample-a-b-de", true],
    ["sample-*-de", "sample-de", false],
    ["?", "a", true],
    ["?", "", false],
    ["?", "ab", false],
    ["v?t-*", "vit-001", true],
    ["*@acme.test", "Anna@ACME.test", true],
    ["*@acme.test", "anna@acme.test.com", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["**", "", true],
    ["ü*", "Über", true],
    ["?ber", "über", true],
    ["", "", true],
    ["", "a", false]
  ]
  it.each(cases)("%j matches %j: %s", (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected)
  })

  it("can be case-sensitive", () => {
    expect(globMatch("VIT-*", "vit-1", { caseSensitive: true })).toBe(false)
    expect(globMatch("VIT-*", "VIT-1", { caseSensitive: true })).toBe(true)
  })

  it("stays fast on patterns that make backtracking regexes explode", () => {
    const started = performance.now()
    expect(globMatch("*a*a*a*a*a*a*a*a*b", "a".repeat(5_000))).toBe(false)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it("knows match-all and wildcard patterns", () => {
    expect([isMatchAll("*"), isMatchAll("**"), isMatchAll("a*"), isMatchAll("")]).toEqual([true, true, false, false])
    expect([hasWildcards("a*"), hasWildcards("a?"), hasWildcards("abc")]).toEqual([true, true, false])
  })
})
