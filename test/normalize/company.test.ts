// One billing account, several brands: a source's company as a map from products to companies. Given
// an order's lines, when it is normalized, then its company is the brand of its products; an order
// mixing brands goes whole to its largest line's brand and its normalization record says so.
import { describe, expect, it } from "vitest"
import { companyOfLine, resolveCompany } from "../../src/normalize/company.js"
import { normalizeFixture, observed, source } from "./support.js"

const MAP = {
  "VIT-*": "acme",
  "VIT-KIDS-*": "acme-kids",
  prod_Nk3Yz: "brand-b",
  price_1QxY: "brand-c",
  "*": "acme"
}
const line = (over: object, quantity = 1, priceMinor = 1000) => ({ quantity, priceMinor, ...over })

describe("the company of an order", () => {
  it.each([
    ["a sku glob", { sku: "VIT-D3-60" }, "acme"],
    ["the more specific glob", { sku: "VIT-KIDS-1" }, "acme-kids"],
    ["a Stripe product id", { productId: "prod_Nk3Yz", variantId: "price_9" }, "brand-b"],
    ["a Stripe or Paddle price id", { productId: "prod_other", variantId: "price_1QxY" }, "brand-c"],
    ["nothing: no company (the default applies to the order)", { sku: "OMG-1" }, undefined]
  ])("matches %s", (_, item, company) => {
    expect(companyOfLine(item, MAP)).toBe(company)
  })

  it("keeps a plain company as it is", () => {
    expect(resolveCompany("acme", [line({ sku: "X" })], "EUR")).toEqual({ _tag: "Company", company: "acme" })
  })

  it("gives a mixed order to the company of its largest line (price x quantity), and says so", () => {
    const r = resolveCompany(MAP, [line({ sku: "VIT-D3" }, 1, 2500), line({ productId: "prod_Nk3Yz" }, 3, 1000)], "EUR")
    expect(r).toEqual({
      _tag: "Company",
      company: "brand-b",
      note: "company brand-b: the order mixes acme and brand-b; it goes whole to the company of its largest line (prod_Nk3Yz, 30.00 EUR)"
    })
  })

  it("uses the default for an order whose products name no company, and fails without one", () => {
    expect(resolveCompany(MAP, [], "EUR")).toMatchObject({ _tag: "Company", company: "acme" })
    const { "*": _, ...noDefault } = MAP
    expect(resolveCompany(noDefault, [line({ sku: "OMG-1" })], "EUR")).toEqual({
      _tag: "Unplaced",
      reason: `no line item (OMG-1) matches the source's company map, which has no "*" default`
    })
  })

  it("routes a Paddle transaction of a shared account to its brand, with the rule in the normalization record", () => {
    const paddle = source({
      id: "paddle",
      kind: "paddle",
      market: "DE",
      company: { pro_01jdv29x7y5w3v1t9s7r5q3p1n: "focus", pri_01jdv2c8e0g2j4l6n8q0s2u4w6: "calm" }
    })
    const outcome = observed(normalizeFixture("paddle/transaction-completed.json", paddle, "transaction.completed"))
    expect(outcome.snapshot?.company).toBe("focus")
    expect(outcome.companyNote).toBe(
      "company focus: the order mixes focus and calm; it goes whole to the company of its largest line (FOCUS-PRO-LT, 49.00 EUR)"
    )
    const calmOnly = source({ id: "paddle", kind: "paddle", company: { "pro_01jdv2b1*": "calm" } })
    const single = normalizeFixture("paddle/transaction-completed.json", calmOnly, "transaction.completed")
    expect(single).toMatchObject({ _tag: "Observed", snapshot: { company: "calm" } })
  })
})
