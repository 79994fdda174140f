// The conversions view's tracking state: "none" (what missingTracking=true finds), "inconsistent"
// (utm_source names Google or Meta but the click id that platform needs is missing), "ok"; and the
// search's `tracking` filter that selects them.
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import type { CanonicalOrder, Tracking } from "../../src/events/CanonicalOrder.js"
import { parseSearch } from "../../src/orders/search.js"
import { hasAnyTracking, trackingState } from "../../src/projections/conversionView.js"

const order = (tracking: Partial<Tracking>): CanonicalOrder => ({
  orderKey: "shop-de:1",
  sourceId: "shop-de",
  platform: "shopify",
  platformOrderId: "1",
  company: "acme",
  products: [],
  status: "paid",
  value: { amountMinor: 1000, currency: "EUR" },
  refundedMinor: 0,
  lineItems: [],
  customer: {},
  placedAt: "2024-12-01T10:00:00.000Z",
  consent: {},
  tracking: { clickIds: {}, utm: {}, ...tracking },
  tags: [],
  test: false
})

describe("trackingState", () => {
  it.each<[string, Partial<Tracking>, "none" | "inconsistent" | "ok"]>([
    ["nothing at all", {}, "none"],
    ["a landing URL without parameters only", { landingUrl: "https://www.acme.de/" }, "none"],
    ["gclid", { gclid: "G" }, "ok"],
    ["utm_source=google with gclid", { gclid: "G", utm: { source: "google" } }, "ok"],
    ["utm_source=google with wbraid", { wbraid: "W", utm: { source: "google", medium: "cpc" } }, "ok"],
    ["utm_source=google without a Google click id", { utm: { source: "google", medium: "cpc" } }, "inconsistent"],
    ["utm_source=Google, an awc but no gclid", { clickIds: { awc: "A" }, utm: { source: "Google" } }, "inconsistent"],
    ["utm_source=facebook with fbclid", { fbclid: "F", utm: { source: "facebook" } }, "ok"],
    ["utm_source=instagram with fbc only", { fbc: "fb.1.1.F", utm: { source: "instagram" } }, "ok"],
    ["utm_source=instagram with fbp only", { fbp: "fb.1.1.2", utm: { source: "instagram" } }, "inconsistent"],
    ["utm_source=facebook without fbclid", { utm: { source: "facebook" } }, "inconsistent"],
    ["utm_source=newsletter", { utm: { source: "newsletter" } }, "ok"],
    ["utm_source=google-partner is not Google's", { utm: { source: "google-partner" } }, "ok"]
  ])("%s -> %s", (_, tracking, expected) => {
    const o = order(tracking)
    expect(trackingState(o)).toBe(expected)
    // "none" is exactly what missingTracking=true means.
    expect(trackingState(o) === "none").toBe(!hasAnyTracking(o))
  })

  it("an order without details yet has none", () => {
    expect(trackingState(undefined)).toBe("none")
  })
})

describe("the tracking search parameter", () => {
  it("takes one or several states", () => {
    expect(Either.getOrThrow(parseSearch({ tracking: "inconsistent" })).trackingStates).toEqual(["inconsistent"])
    expect(Either.getOrThrow(parseSearch({ tracking: "none,inconsistent" })).trackingStates).toEqual([
      "none",
      "inconsistent"
    ])
    expect(Either.getOrThrow(parseSearch({})).trackingStates).toBeUndefined()
  })

  it("refuses an unknown state with a sentence", () => {
    expect(parseSearch({ tracking: "missing" })).toEqual(
      Either.left('tracking must be one of none, inconsistent, ok (comma-separated for several); got "missing"')
    )
  })
})
