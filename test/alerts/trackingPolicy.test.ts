import { describe, expect, it } from "vitest"
import { alertsForOrder } from "../../src/alerts/trackingPolicy.js"
import type { CanonicalOrder, Tracking } from "../../src/events/CanonicalOrder.js"
import type { PartnerRule } from "../../src/events/configSchema.js"
import { CUSTOMER_EMAIL, makeOrder, NOW, partners } from "./support/orders.js"

const utm = (source?: string, medium?: string, campaign?: string): Tracking["utm"] => ({
  ...(source === undefined ? {} : { source }),
  ...(medium === undefined ? {} : { medium }),
  ...(campaign === undefined ? {} : { campaign })
})

interface Case {
  readonly name: string
  readonly tracking: Partial<Tracking>
  readonly order?: Partial<CanonicalOrder>
  readonly rules?: ReadonlyArray<PartnerRule>
  /** undefined: no alert. */
  readonly expected?: { readonly problem: string; readonly partner?: string; readonly keys?: ReadonlyArray<string> }
}

const GOOGLE = ["gclid", "gbraid", "wbraid"]
const META = ["fbclid", "fbc"]

const cases: ReadonlyArray<Case> = [
  // Google
  {
    name: "google cpc without a click id",
    tracking: { utm: utm("google", "cpc", "spring") },
    expected: { problem: "contradicting_tracking", partner: "google", keys: GOOGLE }
  },
  { name: "google cpc with a gclid", tracking: { gclid: "Cj0K", utm: utm("google", "cpc") } },
  {
    name: "google with only a gbraid (iOS app campaign) is a Google click id",
    tracking: { gbraid: "0AAAA", utm: utm("google", "cpc") }
  },
  { name: "google with only a wbraid is a Google click id", tracking: { wbraid: "CkQK", utm: utm("google", "cpc") } },
  {
    name: "utm_source=Google (any case), no medium",
    tracking: { utm: utm(" Google ") },
    expected: { problem: "contradicting_tracking", partner: "google", keys: GOOGLE }
  },
  {
    name: "adwords without gclid",
    tracking: { utm: utm("adwords") },
    expected: { problem: "contradicting_tracking", partner: "google", keys: GOOGLE }
  },
  {
    name: "googleads without gclid",
    tracking: { utm: utm("googleads", "display") },
    expected: { problem: "contradicting_tracking", partner: "google" }
  },
  {
    name: "google_shopping / ppc without gclid",
    tracking: { utm: utm("google_shopping", "ppc") },
    expected: { problem: "contradicting_tracking", partner: "google" }
  },
  {
    name: "google-news / paid without gclid",
    tracking: { utm: utm("google-news", "paid") },
    expected: { problem: "contradicting_tracking", partner: "google" }
  },
  { name: "google-news / newsletter is not a paid Google click", tracking: { utm: utm("google-news", "newsletter") } },
  { name: "google / organic (Business Profile link) never has a gclid", tracking: { utm: utm("google", "organic") } },
  {
    name: "a gclid on an awin-tagged visit still counts for Google, and awin lost its awc",
    tracking: { gclid: "Cj0K", utm: utm("awin") },
    expected: { problem: "contradicting_tracking", partner: "awin", keys: ["awc"] }
  },
  // Meta
  {
    name: "facebook with fbc only (cookie from an earlier fbclid) is fine",
    tracking: { fbc: "fb.1.1700000000000.IwAR", utm: utm("facebook", "paid_social") }
  },
  { name: "facebook with fbclid is fine", tracking: { fbclid: "IwAR", utm: utm("facebook") } },
  {
    name: "instagram with only fbp (no click) contradicts",
    tracking: { fbp: "fb.1.1.2", utm: utm("instagram", "story") },
    expected: { problem: "contradicting_tracking", partner: "meta", keys: META }
  },
  {
    name: "fb without anything",
    tracking: { utm: utm("fb", "cpc") },
    expected: { problem: "contradicting_tracking", partner: "meta", keys: META }
  },
  {
    name: "ig without anything",
    tracking: { utm: utm("IG") },
    expected: { problem: "contradicting_tracking", partner: "meta" }
  },
  {
    name: "meta without anything",
    tracking: { utm: utm("meta", "paid") },
    expected: { problem: "contradicting_tracking", partner: "meta" }
  },
  {
    name: "l.facebook.com as source without fbclid",
    tracking: { utm: utm("l.facebook.com") },
    expected: { problem: "contradicting_tracking", partner: "meta" }
  },
  // Affiliates, learnt from the partner rules
  {
    name: "awin utm without awc",
    tracking: { utm: utm("awin", "affiliate", "publisher-42") },
    expected: { problem: "contradicting_tracking", partner: "awin", keys: ["awc"] }
  },
  { name: "awin utm with awc", tracking: { clickIds: { awc: "1001_1700000000_abc" }, utm: utm("awin", "affiliate") } },
  {
    name: "AWIN in capitals without awc",
    tracking: { utm: utm("AWIN") },
    expected: { problem: "contradicting_tracking", partner: "awin" }
  },
  {
    name: "impact via its utm_source=impact* rule, without irclickid",
    tracking: { utm: utm("impactradius") },
    expected: { problem: "contradicting_tracking", partner: "impact", keys: ["irclickid"] }
  },
  { name: "impact with irclickid", tracking: { clickIds: { irclickid: "Q1w2" }, utm: utm("impact") } },
  {
    name: "awin utm with an impact id is still missing awc",
    tracking: { clickIds: { irclickid: "Q1w2" }, utm: utm("awin") },
    expected: { problem: "contradicting_tracking", partner: "awin", keys: ["awc"] }
  },
  {
    name: "affiliate medium from an unknown network without any click id",
    tracking: { utm: utm("newnet", "affiliate") },
    expected: { problem: "contradicting_tracking", partner: "newnet", keys: ["awc", "irclickid"] }
  },
  {
    name: "affiliate medium with some network's click id",
    tracking: { clickIds: { cjevent: "abc" }, utm: utm("cj", "affiliate") }
  },
  {
    name: "affiliate medium with only a sub id",
    tracking: { clickIds: { sub1: "x" }, utm: utm("newnet", "affiliate") },
    expected: { problem: "contradicting_tracking", partner: "newnet" }
  },
  {
    name: "partner id with a suffix (awin-de) is recognised by its network name",
    tracking: { utm: utm("awin") },
    rules: [{ id: "awin-de", when: ["awc"] }],
    expected: { problem: "contradicting_tracking", partner: "awin-de", keys: ["awc"] }
  },
  {
    name: "the shop's own Meta partner id is named",
    tracking: { utm: utm("facebook") },
    rules: [{ id: "fb-ads", when: ["fbclid"] }],
    expected: { problem: "contradicting_tracking", partner: "fb-ads", keys: META }
  },
  {
    name: "without partner rules Google is still known",
    tracking: { utm: utm("google", "cpc") },
    rules: [],
    expected: { problem: "contradicting_tracking", partner: "google" }
  },
  { name: "without partner rules an awin utm is not judged", tracking: { utm: utm("awin") }, rules: [] },
  // Nothing at all
  { name: "no tracking at all", tracking: {}, expected: { problem: "missing_tracking" } },
  {
    name: "blank values are no tracking",
    tracking: { gclid: " ", clickIds: { awc: "" }, utm: { source: "", campaign: " " } },
    expected: { problem: "missing_tracking" }
  },
  {
    name: "only sub ids are no tracking",
    tracking: { clickIds: { sub1: "a", subid2: "b" } },
    expected: { problem: "missing_tracking" }
  },
  {
    name: "a landing page and a referrer alone are no tracking",
    tracking: { landingUrl: "https://shop.example/", referrer: "https://www.google.com/" },
    expected: { problem: "missing_tracking" }
  },
  { name: "only fbp is some tracking, and no utm to contradict", tracking: { fbp: "fb.1.1.2" } },
  { name: "only an affiliate click id", tracking: { clickIds: { awc: "x" } } },
  { name: "a newsletter utm and nothing else", tracking: { utm: utm("newsletter", "email", "march") } },
  {
    name: "partially refunded orders were paid",
    tracking: {},
    order: { status: "partially_refunded" },
    expected: { problem: "missing_tracking" }
  },
  // Not a paid, real order
  { name: "test order", tracking: {}, order: { test: true } },
  { name: "test order with a contradiction", tracking: { utm: utm("google") }, order: { test: true } },
  { name: "pending (unpaid) order", tracking: {}, order: { status: "pending", paidAt: undefined } },
  { name: "unpaid order with a contradiction", tracking: { utm: utm("google") }, order: { status: "pending" } },
  { name: "refunded order", tracking: {}, order: { status: "refunded" } },
  { name: "cancelled order", tracking: { utm: utm("facebook") }, order: { status: "cancelled" } }
]

describe("alertsForOrder", () => {
  it.each(cases)("$name", (c) => {
    const order = makeOrder(c.tracking, c.order)
    const alerts = alertsForOrder(order, { partners: c.rules ?? partners, now: NOW })
    if (c.expected === undefined) {
      expect(alerts).toEqual([])
      return
    }
    expect(alerts).toHaveLength(1)
    const alert = alerts[0]!
    expect(alert.problem).toBe(c.expected.problem)
    if (c.expected.partner !== undefined) expect(alert.partner).toBe(c.expected.partner)
    if (c.expected.keys !== undefined) expect(alert.details.expected).toEqual(c.expected.keys)
    expect(alert.orderKey).toBe("shop-de:1001")
    expect(alert.company).toBe("acme")
    expect(alert.market).toBe("DE")
  })
})

describe("a Google-tagged order without gclid, in full", () => {
  const order = makeOrder({
    fbp: "fb.1.1700000000000.123",
    utm: { source: "google", medium: "cpc", campaign: "spring-sale", content: "banner-a", term: "vitamin d" },
    landingUrl: `https://shop.example/products/vitamin-d3?utm_source=google&utm_campaign=spring-sale&email=${CUSTOMER_EMAIL}`,
    referrer: "https://www.google.com/search?q=anna+mueller"
  })
  const [alert] = alertsForOrder(order, { partners, now: NOW })

  it("names the partner, campaign and landing page, and groups by company|partner|campaign|problem", () => {
    expect(alert).toEqual({
      _tag: "AlertRaised",
      alertId: "contradicting_tracking:shop-de:1001",
      problem: "contradicting_tracking",
      groupKey: "acme|google|spring-sale|contradicting_tracking",
      orderKey: "shop-de:1001",
      company: "acme",
      market: "DE",
      partner: "google",
      campaign: "spring-sale",
      landingUrl: "shop.example/products/vitamin-d3",
      summary: "Paid order shop-de:1001 (DE) has utm_source=google but no gclid/gbraid/wbraid (campaign spring-sale)",
      details: {
        orderKey: "shop-de:1001",
        market: "DE",
        value: { amountMinor: 4990, currency: "EUR" },
        utm: { source: "google", medium: "cpc", campaign: "spring-sale", content: "banner-a" },
        landingQueryKeys: ["utm_source", "utm_campaign", "email"],
        referrerHost: "www.google.com",
        present: ["fbp"],
        detectedAt: "2026-03-10T10:00:00.000Z",
        signal: "utm_source=google",
        expected: ["gclid", "gbraid", "wbraid"],
        hint: expect.stringContaining("auto-tagging")
      }
    })
  })

  it("carries no personal data: no email, name, phone, IP, query values or search terms", () => {
    const text = JSON.stringify(alert)
    for (const pii of [CUSTOMER_EMAIL, "anna", "Müller", "23456789", "203.0.113.7", "q=", "vitamin d"]) {
      expect(text.toLowerCase()).not.toContain(pii.toLowerCase())
    }
  })
})

describe("missing tracking, in full", () => {
  it("groups under (none) partner and campaign, and keeps a relative landing path", () => {
    const order = makeOrder({ landingUrl: "/collections/all?ref=footer" })
    expect(alertsForOrder(order, { partners, now: NOW })).toEqual([
      expect.objectContaining({
        alertId: "missing_tracking:shop-de:1001",
        problem: "missing_tracking",
        groupKey: "acme|(none)|(none)|missing_tracking",
        landingUrl: "/collections/all",
        summary: "Paid order shop-de:1001 (DE) arrived without any tracking: no click id and no UTM parameters",
        details: expect.objectContaining({ landingQueryKeys: ["ref"], present: [] })
      })
    ])
  })

  it("scrubs an email in the landing path", () => {
    const order = makeOrder({ landingUrl: `https://shop.example/unsubscribe/${encodeURIComponent(CUSTOMER_EMAIL)}` })
    const [alert] = alertsForOrder(order, { partners, now: NOW })
    expect(alert?.landingUrl).toBe("shop.example/unsubscribe/[email]")
  })

  it("is deterministic: the same order gives the same alert", () => {
    const order = makeOrder({})
    expect(alertsForOrder(order, { partners, now: NOW })).toEqual(alertsForOrder(order, { partners, now: NOW }))
  })
})
