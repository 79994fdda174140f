import { describe, expect, it } from "vitest"
import { explain } from "../../src/rules/explain.js"
import { formatExplanation, formatRules } from "../../src/rules/format.js"
import { exc, inc, targets } from "./fixtures.js"

const rules = [
  inc("acme-google", "acme/*/google", "google-acme"),
  inc("awin-all", "*/*/awin", "awin"),
  exc("no-samples", "*/sample-*/*")
]

describe("formatExplanation", () => {
  it("renders targets and one aligned line per rule", () => {
    const order = { orderKey: "shop-de:1001", company: "acme", products: ["vitamins"], partner: "awin" }
    expect(formatExplanation(order, explain(order, rules, targets))).toBe(
      [
        "Order shop-de:1001: company acme, products vitamins, partner awin",
        "",
        "Targets (1):",
        "  awin  postback  rule awin-all (specificity 1)",
        "",
        "Rules (3, in order):",
        '  acme-google  -> google-acme  not_matched  partner: "awin" does not match "google"',
        "  awin-all     -> awin         matched      routes to awin (specificity 1)",
        '  no-samples   exclude *       not_matched  product: "vitamins" does not match "sample-*"'
      ].join("\n")
    )
  })

  it("says so when nothing is routed and no rules exist", () => {
    const order = { company: "acme", products: [] }
    expect(formatExplanation(order, explain(order, [], targets))).toBe(
      ["Order: company acme, products (none), partner (none)", "", "Targets: none", "", "Rules: none defined"].join(
        "\n"
      )
    )
  })
})

describe("formatRules", () => {
  it("lists rules with their patterns and effect", () => {
    expect(
      formatRules([...rules, { ...inc("kit", "acme/sample-kit/awin", "awin"), description: "kits pay commission" }])
    ).toBe(
      [
        "acme-google  acme/*/google         -> google-acme",
        "awin-all     */*/awin              -> awin",
        "no-samples   */sample-*/*          exclude *",
        "kit          acme/sample-kit/awin  -> awin         kits pay commission"
      ].join("\n")
    )
    expect(formatRules([])).toBe("No rules defined.")
  })
})
