import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Rule } from "../../src/events/configSchema.js"
import { explain, toPlannedTargets, toRuleDecisions } from "../../src/rules/explain.js"
import { exc, inc, order, targets } from "./fixtures.js"

const routed = (rules: ReadonlyArray<Rule>, o: ReturnType<typeof order>) =>
  explain(o, rules, targets).targets.map((t) => `${t.targetId}<-${t.ruleId}`)

// The rules of the contract's example s2s.yaml.
const contract = [
  inc("acme-google", "acme/*/google", "google-acme"),
  inc("acme-meta", "acme/*/meta", "meta-acme"),
  inc("awin-all", "*/*/awin", "awin"),
  exc("no-samples", "*/sample-*/*")
]

describe("routing precedence", () => {
  const table: ReadonlyArray<{
    readonly when: string
    readonly given: ReadonlyArray<Rule>
    readonly order: ReturnType<typeof order>
    readonly expect: ReadonlyArray<string>
  }> = [
    {
      when: "one rule matches",
      given: contract,
      order: order("acme", ["vitamins"], "google"),
      expect: ["google-acme<-acme-google"]
    },
    { when: "no rule matches", given: contract, order: order("beta", ["vitamins"], "google"), expect: [] },
    {
      when: "an affiliate sale",
      given: contract,
      order: order("beta", ["vitamins"], "awin"),
      expect: ["awin<-awin-all"]
    },
    {
      when: "a sample via awin (exclusion wins the tie 1 vs 1)",
      given: contract,
      order: order("acme", ["sample-kit"], "awin"),
      expect: []
    },
    {
      when: "a sample via google (acme/*/google is more specific but does not name the product)",
      given: contract,
      order: order("acme", ["sample-kit"], "google"),
      expect: []
    },
    {
      when: "an order containing a sample among other products",
      given: contract,
      order: order("acme", ["vitamins", "sample-kit"], "awin"),
      expect: []
    },
    {
      when: "an explicit exception, more specific and naming the product",
      given: [...contract, inc("kit-awin", "acme/sample-kit/awin", "awin")],
      order: order("acme", ["sample-kit"], "awin"),
      expect: ["awin<-kit-awin"]
    },
    {
      when: "an exception by glob",
      given: [...contract, inc("samples-awin", "acme/sample-*/awin", "awin")],
      order: order("acme", ["sample-mini"], "awin"),
      expect: ["awin<-samples-awin"]
    },
    {
      when: "an exception listed before the exclusion (order does not matter for precedence)",
      given: [inc("kit-awin", "acme/sample-kit/awin", "awin"), ...contract],
      order: order("acme", ["sample-kit"], "awin"),
      expect: ["awin<-kit-awin"]
    },
    {
      when: "an exception that names the product but is only equally specific",
      given: [exc("no-samples", "*/sample-*/*"), inc("kit", "*/sample-kit/*", "awin")],
      order: order("acme", ["sample-kit"], "awin"),
      expect: []
    },
    {
      when: "an exclusion more specific than the inclusion",
      given: [inc("awin-all", "*/*/awin", "awin"), exc("acme-kit-awin", "acme/sample-kit/awin")],
      order: order("acme", ["sample-kit"], "awin"),
      expect: []
    },
    {
      when: "an exclusion as specific as the exception",
      given: [inc("kit-awin", "acme/sample-kit/awin", "awin"), exc("acme-samples-awin", "acme/sample-*/awin")],
      order: order("acme", ["sample-kit"], "awin"),
      expect: []
    },
    {
      when: "a less specific survivor routes although the most specific rule is blocked",
      given: [
        exc("no-samples", "*/sample-*/*"),
        inc("acme-awin", "acme/*/awin", "awin"),
        inc("kit-any", "*/sample-kit/awin", "awin")
      ],
      order: order("acme", ["sample-kit"], "awin"),
      expect: ["awin<-kit-any"]
    },
    {
      when: "an exclusion of one target leaves the others",
      given: [
        inc("awin-all", "*/*/awin", "awin"),
        inc("google-all", "*/*/*", "google-acme"),
        exc("no-samples-awin", "*/sample-*/*", "awin")
      ],
      order: order("acme", ["sample-kit"], "awin"),
      expect: ["google-acme<-google-all"]
    },
    {
      when: "an exclusion without a target takes out every target",
      given: [inc("awin-all", "*/*/*", "awin"), inc("google-all", "*/*/*", "google-acme"), exc("no-beta", "beta/*/*")],
      order: order("beta", ["x"], "awin"),
      expect: []
    },
    {
      when: "an exclusion that does not match changes nothing",
      given: [inc("awin-all", "*/*/awin", "awin"), exc("no-beta", "beta/*/*")],
      order: order("acme", ["x"], "awin"),
      expect: ["awin<-awin-all"]
    },
    {
      when: "an exclusion of another target changes nothing",
      given: [inc("awin-all", "*/*/awin", "awin"), exc("no-meta", "*/*/*", "meta-acme")],
      order: order("acme", ["x"], "awin"),
      expect: ["awin<-awin-all"]
    },
    {
      when: "a catch-all exclusion blocks only catch-all rules",
      given: [inc("everything", "*/*/*", "google-acme"), inc("awin-all", "*/*/awin", "awin"), exc("stop", "*/*/*")],
      order: order("acme", ["x"], "awin"),
      expect: ["awin<-awin-all"]
    },
    {
      when: "two rules produce the same target: the most specific is credited, even when listed later",
      given: [inc("awin-all", "*/*/awin", "awin"), inc("acme-awin", "acme/*/awin", "awin")],
      order: order("acme", ["x"], "awin"),
      expect: ["awin<-acme-awin"]
    },
    {
      when: "two equally specific rules: the first is credited",
      given: [inc("by-company", "acme/*/*", "awin"), inc("by-partner", "*/*/awin", "awin")],
      order: order("acme", ["x"], "awin"),
      expect: ["awin<-by-company"]
    },
    {
      when: "targets come out in the order of their credited rules",
      given: [inc("m", "*/*/*", "meta-acme"), inc("g", "acme/*/*", "google-acme"), inc("a", "*/*/*", "awin")],
      order: order("acme", ["x"], "awin"),
      expect: ["meta-acme<-m", "google-acme<-g", "awin<-a"]
    },
    {
      when: "a disabled or undefined target is never routed",
      given: [inc("old", "*/*/*", "old-network"), inc("ghost", "*/*/*", "nowhere"), inc("no-target", "*/*/*")],
      order: order("acme", ["x"], "awin"),
      expect: []
    },
    {
      when: "an order without a partner matches only partner *",
      given: [
        inc("any", "*/*/*", "google-acme"),
        inc("awin-all", "*/*/awin", "awin"),
        inc("aff", "*/*/?*", "meta-acme")
      ],
      order: order("acme", ["x"]),
      expect: ["google-acme<-any"]
    },
    {
      when: "company globs",
      given: [inc("brands", "brand-*/*/*", "awin")],
      order: order("brand-nord", ["x"], "awin"),
      expect: ["awin<-brands"]
    },
    {
      when: "an order without products matches only product *",
      given: [inc("vit", "*/vit*/*", "awin"), inc("all", "*/*/*", "google-acme")],
      order: order("acme", []),
      expect: ["google-acme<-all"]
    }
  ]

  it.each(table)("when $when", ({ given, order: o, expect: routes }) => {
    expect(routed(given, o)).toEqual(routes)
  })
})

describe("explanations", () => {
  const rules = [
    inc("acme-google", "acme/*/google", "google-acme"),
    inc("awin-all", "*/*/awin", "awin"),
    inc("kit-awin", "acme/sample-kit/awin", "awin"),
    inc("acme-awin", "acme/*/awin", "awin"),
    exc("no-samples", "*/sample-*/*"),
    inc("legacy", "*/*/awin", "old-network"),
    inc("ghost", "*/*/*", "nowhere"),
    inc("kit-any", "*/sample-kit/awin", "awin"),
    inc("everything-google", "*/*/*", "google-acme"),
    exc("no-ghost", "*/*/*", "nowhere"),
    exc("no-meta", "*/*/*", "meta-acme"),
    inc("untargeted", "*/*/*")
  ]
  const o = order("acme", ["sample-kit", "vitamins"], "awin")

  it("gives a decision for every rule, in rule order", () => {
    const explanation = explain(o, rules, targets)
    expect(toRuleDecisions(explanation)).toEqual([
      { ruleId: "acme-google", outcome: "not_matched", detail: 'partner: "awin" does not match "google"' },
      {
        ruleId: "awin-all",
        outcome: "excluded_by",
        detail:
          "excluded by rule no-samples: it constrains product, this rule does not; awin is still routed by rule kit-awin"
      },
      {
        ruleId: "kit-awin",
        outcome: "matched",
        detail: "routes to awin (specificity 3), overriding exclusion no-samples (specificity 1)"
      },
      {
        ruleId: "acme-awin",
        outcome: "excluded_by",
        detail:
          "excluded by rule no-samples: it constrains product, this rule does not; awin is still routed by rule kit-awin"
      },
      {
        ruleId: "no-samples",
        outcome: "excluded",
        detail: "excludes google-acme; overridden for awin by rule kit-awin (specificity 3)"
      },
      { ruleId: "legacy", outcome: "target_disabled", detail: "target old-network is disabled" },
      { ruleId: "ghost", outcome: "target_missing", detail: "target nowhere is not defined" },
      {
        ruleId: "kit-any",
        outcome: "matched",
        detail: "routes to awin, credited to the more specific rule kit-awin (specificity 3)"
      },
      {
        ruleId: "everything-google",
        outcome: "excluded_by",
        detail: "excluded by rule no-samples: it constrains product, this rule does not"
      },
      { ruleId: "no-ghost", outcome: "target_missing", detail: "excludes target nowhere, which is not defined" },
      { ruleId: "no-meta", outcome: "excluded", detail: "matches, but no rule routes this order to meta-acme" },
      { ruleId: "untargeted", outcome: "target_missing", detail: "the rule has neither a target nor exclude: true" }
    ])
    expect(explanation.targets).toEqual([{ targetId: "awin", channel: "postback", ruleId: "kit-awin", specificity: 3 }])
  })

  it("reports the tie-breaking and the specificity that decided an exclusion", () => {
    const e = explain(
      order("acme", ["sample-kit"], "awin"),
      [inc("by-company", "acme/*/*", "awin"), inc("by-partner", "*/*/awin", "awin"), exc("kit", "*/sample-kit/awin")],
      targets
    )
    expect(toRuleDecisions(e)).toEqual([
      {
        ruleId: "by-company",
        outcome: "excluded_by",
        detail: "excluded by rule kit: it constrains product and partner, this rule does not"
      },
      {
        ruleId: "by-partner",
        outcome: "excluded_by",
        detail: "excluded by rule kit: it constrains product, this rule does not"
      },
      { ruleId: "kit", outcome: "excluded", detail: "excludes awin" }
    ])
    const tie = explain(
      order("acme", ["x"], "awin"),
      [inc("a", "acme/*/*", "awin"), inc("b", "*/*/awin", "awin"), exc("acme-x", "acme/x/*")],
      targets
    )
    expect(toRuleDecisions(tie).map((d) => d.detail)).toEqual([
      "excluded by rule acme-x: it constrains product, this rule does not",
      "excluded by rule acme-x: it constrains company and product, this rule does not",
      "excludes awin"
    ])
    const equal = explain(
      order("acme", ["x"], "awin"),
      [inc("a", "acme/*/*", "awin"), inc("b", "*/*/awin", "awin")],
      targets
    )
    expect(toRuleDecisions(equal).map((d) => d.detail)).toEqual([
      "routes to awin (specificity 1)",
      "routes to awin, credited to the equally specific, earlier rule a (specificity 1)"
    ])
    const spec = explain(
      order("acme", ["x"], "awin"),
      [inc("a", "*/x/awin", "awin"), exc("x-any", "acme/?/*")],
      targets
    )
    expect(toRuleDecisions(spec)[0]?.detail).toBe("excluded by rule x-any: it constrains company, this rule does not")
    const same = explain(
      order("acme", ["x"], "awin"),
      [inc("a", "acme/x/*", "awin"), exc("one-letter", "a*/?/*")],
      targets
    )
    expect(toRuleDecisions(same)[0]?.detail).toBe("excluded by rule one-letter: specificity 2 >= 2")
  })

  it("plans the routed targets for a dispatch kind", () => {
    const e = explain(order("acme", ["x"], "google"), [inc("g", "acme/*/google", "google-acme")], targets)
    expect(toPlannedTargets(e)).toEqual([
      { targetId: "google-acme", channel: "google-ads", ruleId: "g", kind: "conversion" }
    ])
    expect(toPlannedTargets(e, "status_change")[0]?.kind).toBe("status_change")
  })
})

describe("routing properties", () => {
  const pattern = fc.constantFrom("*", "acme", "beta", "a*", "sample-*", "kit", "awin", "google")
  const ruleArb = fc.record({
    company: pattern,
    product: pattern,
    partner: pattern,
    target: fc.constantFrom("awin", "google-acme", "meta-acme", "old-network", "nowhere"),
    exclude: fc.boolean(),
    scoped: fc.boolean()
  })
  const rulesArb = fc.array(ruleArb, { maxLength: 8 }).map((rs) =>
    rs.map(
      (r, i): Rule => ({
        id: `r${i}`,
        company: r.company,
        product: r.product,
        partner: r.partner,
        ...(r.exclude ? { exclude: true } : {}),
        ...(!r.exclude || r.scoped ? { target: r.target } : {})
      })
    )
  )
  const orderArb = fc.record({
    company: fc.constantFrom("acme", "beta"),
    products: fc.subarray(["sample-kit", "kit", "vitamins"]),
    partner: fc.option(fc.constantFrom("awin", "google", "ab"), { nil: undefined })
  })
  const ids = (rules: ReadonlyArray<Rule>, o: ReturnType<typeof order>) =>
    new Set(explain(o, rules, targets).targets.map((t) => t.targetId))

  it("adding an exclusion never adds a target", () => {
    fc.assert(
      fc.property(rulesArb, ruleArb, orderArb, (rules, extra, o) => {
        const before = ids(rules, o)
        const after = ids([...rules, { id: "extra", ...extra, exclude: true }], o)
        return [...after].every((t) => before.has(t))
      })
    )
  })

  it("adding an inclusion never removes a target, and rule order only changes credit", () => {
    fc.assert(
      fc.property(rulesArb, ruleArb, orderArb, (rules, extra, o) => {
        const before = ids(rules, o)
        const { exclude: _, scoped: __, ...rest } = extra
        const after = ids([...rules, { id: "extra", ...rest }], o)
        const reversed = ids([...rules].reverse(), o)
        return (
          [...before].every((t) => after.has(t)) &&
          [...before].every((t) => reversed.has(t)) &&
          before.size === reversed.size
        )
      })
    )
  })

  it("every decision is one of the recorded outcomes and every routed target is enabled", () => {
    fc.assert(
      fc.property(rulesArb, orderArb, (rules, o) => {
        const e = explain(o, rules, targets)
        return (
          e.decisions.length === rules.length &&
          e.targets.every((t) => targets.find((d) => d.id === t.targetId)?.enabled === true) &&
          new Set(e.targets.map((t) => t.targetId)).size === e.targets.length
        )
      })
    )
  })
})
