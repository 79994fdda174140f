import { describe, expect, it } from "vitest"
import type { Tracking } from "../../src/events/CanonicalOrder.js"
import type { PartnerRule, ProductMapping } from "../../src/events/configSchema.js"
import {
  conditionHolds,
  marketOf,
  partnerFor,
  productFor,
  productsOf,
  trackingValue
} from "../../src/normalize/identity.js"

describe("marketOf: billing, then shipping, then the source's market", () => {
  it.each([
    ["DE", "AT", "CH", "DE"],
    [undefined, "AT", "CH", "AT"],
    [undefined, undefined, "CH", "CH"],
    ["de", undefined, undefined, "DE"],
    ["Germany", "fr", "CH", "FR"], // a name, not a code, is skipped
    ["", "", "CA", "CA"],
    [undefined, undefined, undefined, undefined]
  ])("billing %j shipping %j default %j -> %j", (billing, shipping, fallback, expected) => {
    expect(marketOf(billing, shipping, fallback)).toBe(expected)
  })
})

const mappings: ReadonlyArray<ProductMapping> = [
  { match: { sku: "VIT-D3-*", company: "acme" }, product: "vitamin-d" },
  { match: { sku: "VIT-*" }, product: "vitamins" },
  { match: { productId: "pro_01jdv29x*" }, product: "focus-pro" },
  { match: { sku: "SAMPLE-?", source: "shop-*" }, product: "samples" },
  { match: { source: "stripe-*" }, product: "stripe-checkout" }
]

describe("productFor: first matching mapping, else the sku, else the product id", () => {
  it.each<[string, { sku?: string; productId?: string }, string, string, string | undefined]>([
    ["more specific mapping listed first wins", { sku: "VIT-D3-1000" }, "shop-de", "acme", "vitamin-d"],
    ["company criterion excludes another brand", { sku: "VIT-D3-1000" }, "shop-de", "other", "vitamins"],
    ["glob on sku, case-insensitive", { sku: "vit-c-500" }, "shop-de", "acme", "vitamins"],
    ["glob on product id", { productId: "pro_01jdv29x7y5w3v1t9s7r5q3p1n" }, "paddle", "focus", "focus-pro"],
    ["? matches one character", { sku: "SAMPLE-A" }, "shop-de", "acme", "samples"],
    ["? does not match two", { sku: "SAMPLE-AB" }, "shop-de", "acme", "SAMPLE-AB"],
    ["source criterion", { sku: "SAMPLE-A" }, "woo-pl", "acme", "SAMPLE-A"],
    ["a sku mapping needs a sku", { productId: "VIT-1" }, "shop-de", "acme", "VIT-1"],
    [
      "source-only mapping applies to every item of that source",
      { sku: "ANY" },
      "stripe-eu",
      "acme",
      "stripe-checkout"
    ],
    ["default: the sku", { sku: "PROB-30", productId: "92" }, "woo-pl", "acme", "PROB-30"],
    ["default: the product id", { productId: "8123456789017" }, "shop-de", "acme", "8123456789017"],
    ["nothing to go on", {}, "shop-de", "acme", undefined]
  ])("%s", (_, item, sourceId, company, expected) => {
    expect(productFor(item, mappings, { sourceId, company })).toBe(expected)
  })

  it("lists an order's products once each, in line-item order", () => {
    const items = [{ sku: "OMG-3-60" }, { sku: "VIT-C-500" }, { sku: "VIT-B12" }, { sku: "OMG-3-60" }, {}]
    expect(productsOf(items, mappings, { sourceId: "shop-de", company: "acme" })).toEqual(["OMG-3-60", "vitamins"])
  })

  it("gives an order without line items the product of a mapping that names no sku or id", () => {
    expect(productsOf([], mappings, { sourceId: "stripe-eu", company: "acme" })).toEqual(["stripe-checkout"])
    expect(productsOf([], mappings, { sourceId: "shop-de", company: "acme" })).toEqual([])
  })
})

const tracking = (over: Partial<Tracking>): Tracking => ({ clickIds: {}, utm: {}, ...over })

const rules: ReadonlyArray<PartnerRule> = [
  { id: "awin", when: ["awc"] },
  { id: "google", when: ["gclid", "gbraid", "wbraid", "utm_source=google"] },
  { id: "meta", when: ["fbclid", "fbc", "utm_source=facebook", "utm_source=instagram", "utm_source=*fb*"] },
  { id: "newsletter", when: ["utm_medium=email", "referrer=*mail.google.com*"] },
  { id: "coupon-partner", when: ["coupon=CREATOR-*"] }
]

describe("partnerFor: the first rule with any condition that holds", () => {
  it.each<[string, Tracking, string | undefined, string | undefined]>([
    ["gclid", tracking({ gclid: "G" }), "google", "gclid"],
    ["gbraid alone", tracking({ gbraid: "GB" }), "google", "gbraid"],
    ["utm_source equals, case-insensitive", tracking({ utm: { source: "Google" } }), "google", "utm_source=google"],
    ["utm_source must equal, not contain", tracking({ utm: { source: "googleads-partner" } }), undefined, undefined],
    ["glob on a value", tracking({ utm: { source: "ig_fb_ads" } }), "meta", "utm_source=*fb*"],
    ["fbc without fbclid", tracking({ fbc: "fb.1.1.X" }), "meta", "fbc"],
    ["awc before google: the rule order decides", tracking({ gclid: "G", clickIds: { awc: "A" } }), "awin", "awc"],
    ["utm_medium", tracking({ utm: { medium: "email" } }), "newsletter", "utm_medium=email"],
    [
      "referrer glob",
      tracking({ referrer: "https://mail.google.com/mail/u/0/" }),
      "newsletter",
      "referrer=*mail.google.com*"
    ],
    ["coupon glob", tracking({ coupon: "creator-lena" }), "coupon-partner", "coupon=CREATOR-*"],
    ["empty value does not count as present", tracking({ gclid: "" }), undefined, undefined],
    ["no tracking", tracking({}), undefined, undefined]
  ])("%s", (_, given, partner, condition) => {
    expect(partnerFor(given, rules)).toEqual(partner === undefined ? undefined : { partner, condition })
  })

  it("tries click ids of every rule before utm values: a utm rule listed first does not win", () => {
    const utmFirst: ReadonlyArray<PartnerRule> = [
      { id: "google", when: ["utm_source=google"] },
      { id: "awin", when: ["awc"] }
    ]
    const order = tracking({ utm: { source: "google" }, clickIds: { awc: "A" } })
    expect(partnerFor(order, utmFirst)).toEqual({ partner: "awin", condition: "awc" })
    expect(partnerFor(order, rules)?.partner).toBe("awin")
  })
})

describe("partnerFor: click ids, then utm, then other signals, each in rule order", () => {
  const ordered: ReadonlyArray<PartnerRule> = [
    { id: "newsletter", when: ["utm_medium=email", "coupon=NEWS-*"] },
    { id: "meta", when: ["utm_source=facebook", "fbclid", "fbp"] },
    { id: "google", when: ["utm_source=google", "gclid"] },
    { id: "everflow", when: ["transaction_id", "sub1=creator-*"] },
    { id: "creator", when: ["coupon=CREATOR-*", "referrer=*instagram.com*"] }
  ]
  it.each<[string, Tracking, string | undefined, string | undefined]>([
    ["gclid beats an earlier rule's utm", tracking({ gclid: "G", utm: { medium: "email" } }), "google", "gclid"],
    [
      "two click ids: the earlier rule",
      tracking({ gclid: "G", fbclid: "F", utm: { source: "google" } }),
      "meta",
      "fbclid"
    ],
    ["utm_source=facebook without fbclid", tracking({ utm: { source: "facebook" } }), "meta", "utm_source=facebook"],
    [
      "utm beats a coupon of an earlier rule",
      tracking({ coupon: "NEWS-5", utm: { source: "google" } }),
      "google",
      "utm_source=google"
    ],
    ["coupon when nothing else", tracking({ coupon: "CREATOR-LENA" }), "creator", "coupon=CREATOR-*"],
    [
      "fbp is a cookie, not a click",
      tracking({ fbp: "fb.1.1.1", utm: { source: "google" } }),
      "google",
      "utm_source=google"
    ],
    ["fbp alone", tracking({ fbp: "fb.1.1.1" }), "meta", "fbp"],
    ["transaction_id is kept as clickid", tracking({ clickIds: { clickid: "ef-123" } }), "everflow", "transaction_id"],
    ["sub1 glob", tracking({ clickIds: { sub1: "creator-lena" } }), "everflow", "sub1=creator-*"],
    ["nothing", tracking({ referrer: "https://www.bing.com/" }), undefined, undefined]
  ])("%s", (_, given, partner, condition) => {
    expect(partnerFor(given, ordered)).toEqual(partner === undefined ? undefined : { partner, condition })
  })
})

describe("trackingValue and conditionHolds", () => {
  const t = tracking({
    gclid: "G",
    landingUrl: "/x",
    utm: { campaign: "c", term: "t" },
    clickIds: { irclickid: "IR", sub2: "s" }
  })
  it.each([
    ["gclid", "G"],
    ["landing_url", "/x"],
    ["utm_campaign", "c"],
    ["utm_term", "t"],
    ["irclickid", "IR"],
    ["sub2", "s"],
    ["fbp", undefined],
    ["unknown_field", undefined]
  ])("%s -> %j", (field, expected) => {
    expect(trackingValue(t, field)).toBe(expected)
  })

  it("an unknown field never holds", () => {
    expect(conditionHolds("nope", t)).toBe(false)
    expect(conditionHolds("nope=*", t)).toBe(false)
    expect(conditionHolds("landing_url=*", t)).toBe(true)
  })
})
