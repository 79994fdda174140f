import { describe, expect, it } from "vitest"
import type { TrackingSignals } from "../../src/normalize/outcome.js"
import { DEFAULT_TRACKING_KEYS, extractTracking, fbcCapturedAt, queryParams } from "../../src/normalize/tracking.js"

const signals = (over: Partial<TrackingSignals>): TrackingSignals => ({ attributes: [], ...over })

describe("extractTracking: where each field is found", () => {
  it.each<[string, TrackingSignals, Record<string, unknown>]>([
    [
      "Shopify note attributes with the usual spellings",
      signals({
        attributes: [
          ["_gclid", "G1"],
          ["_fbc", "fb.1.1.X"],
          ["_fbp", "fb.1.2.3"],
          ["utm_source", "google"]
        ]
      }),
      { gclid: "G1", fbc: "fb.1.1.X", fbp: "fb.1.2.3", utm: { source: "google" } }
    ],
    ["upper-case GCLID key", signals({ attributes: [["GCLID", "G2"]] }), { gclid: "G2" }],
    [
      "a landing path with a query string",
      signals({ landingUrl: "/products/x?gclid=G3&utm_source=google&utm_medium=cpc&utm_campaign=c%20one" }),
      {
        gclid: "G3",
        landingUrl: "/products/x?gclid=G3&utm_source=google&utm_medium=cpc&utm_campaign=c%20one",
        utm: { source: "google", medium: "cpc", campaign: "c one" }
      }
    ],
    [
      "a full landing URL with fbclid and a fragment",
      signals({ landingUrl: "https://shop.example/?fbclid=F1&utm_content=a+b#section" }),
      { fbclid: "F1", landingUrl: "https://shop.example/?fbclid=F1&utm_content=a+b#section", utm: { content: "a b" } }
    ],
    [
      "gbraid and wbraid from the URL",
      signals({ landingUrl: "/?gbraid=GB&wbraid=WB" }),
      { gbraid: "GB", wbraid: "WB", landingUrl: "/?gbraid=GB&wbraid=WB" }
    ],
    [
      "WooCommerce built-in attribution meta",
      signals({
        attributes: [
          ["_wc_order_attribution_utm_source", "google"],
          ["_wc_order_attribution_utm_medium", "cpc"],
          ["_wc_order_attribution_session_entry", "https://shop.pl/p/?gclid=W1&wbraid=WB1"],
          ["_wc_order_attribution_referrer", "https://www.google.com/"]
        ]
      }),
      {
        gclid: "W1",
        wbraid: "WB1",
        landingUrl: "https://shop.pl/p/?gclid=W1&wbraid=WB1",
        referrer: "https://www.google.com/",
        utm: { source: "google", medium: "cpc" }
      }
    ],
    [
      "affiliate click ids from attributes and URL",
      signals({
        attributes: [
          ["_awc", "A1"],
          ["cjevent", "CJ1"]
        ],
        landingUrl: "/?irclickid=IR1&clickid=RT1&sub1=s1&aff_sub2=s2"
      }),
      {
        landingUrl: "/?irclickid=IR1&clickid=RT1&sub1=s1&aff_sub2=s2",
        clickIds: { awc: "A1", cjevent: "CJ1", irclickid: "IR1", clickid: "RT1", sub1: "s1", sub2: "s2" }
      }
    ],
    [
      "transaction_id is a click id only in the URL (Everflow, TUNE)",
      signals({ attributes: [["transaction_id", "PAYMENT-123"]], landingUrl: "/?transaction_id=EF-CLICK" }),
      { landingUrl: "/?transaction_id=EF-CLICK", clickIds: { clickid: "EF-CLICK" } }
    ],
    [
      "transaction_id attribute alone is not a click id",
      signals({ attributes: [["transaction_id", "PAYMENT-123"]] }),
      {}
    ],
    [
      "native referrer and coupon",
      signals({ referrer: "https://l.facebook.com/", coupon: "WELCOME10" }),
      { referrer: "https://l.facebook.com/", coupon: "WELCOME10" }
    ],
    [
      "empty, null and undefined values are absent",
      signals({
        attributes: [
          ["gclid", ""],
          ["_gclid", "  "],
          ["fbclid", "null"],
          ["fbc", "undefined"]
        ],
        landingUrl: "/?gclid="
      }),
      { landingUrl: "/?gclid=" }
    ]
  ])("%s", (_, given, expected) => {
    const { tracking } = extractTracking(given)
    expect(tracking).toEqual({ clickIds: {}, utm: {}, ...expected })
  })
})

describe("extractTracking: precedence", () => {
  it("explicit values beat attributes, attributes beat the platform field, which beats the URL", () => {
    const { tracking } = extractTracking(
      signals({
        explicit: { gclid: "EXPLICIT", utm_source: "explicit" },
        attributes: [
          ["gclid", "ATTRIBUTE"],
          ["utm_source", "attribute"],
          ["utm_medium", "attribute"],
          ["landing_url", "/from-attribute?utm_campaign=a"],
          ["referrer", "https://attr.example/"]
        ],
        landingUrl: "/native?gclid=URL&utm_medium=url&utm_campaign=native&utm_term=t",
        referrer: "https://native.example/"
      })
    )
    expect(tracking.gclid).toBe("EXPLICIT")
    // Every landing URL is read: utm_term is only in the platform's, utm_campaign comes from the first.
    expect(tracking.utm).toEqual({ source: "explicit", medium: "attribute", campaign: "a", term: "t" })
    expect(tracking.landingUrl).toBe("/from-attribute?utm_campaign=a")
    expect(tracking.referrer).toBe("https://attr.example/")
  })

  it("tries the source's overrides before the default keys", () => {
    const given = signals({
      attributes: [
        ["gclid", "DEFAULT"],
        ["google_id", "OVERRIDE"],
        ["aff", "AFF1"]
      ],
      landingUrl: "/?ref_click=Q1"
    })
    expect(extractTracking(given).tracking.gclid).toBe("DEFAULT")
    const { tracking } = extractTracking(given, { gclid: ["google_id"], awc: ["aff"], clickid: ["ref_click"] })
    expect(tracking.gclid).toBe("OVERRIDE")
    expect(tracking.clickIds).toEqual({ awc: "AFF1", clickid: "Q1" })
  })

  it("takes the first value when a key repeats", () => {
    const { tracking } = extractTracking(
      signals({
        attributes: [
          ["gclid", "first"],
          ["gclid", "second"]
        ],
        landingUrl: "/?fbclid=a&fbclid=b"
      })
    )
    expect(tracking.gclid).toBe("first")
    expect(tracking.fbclid).toBe("a")
  })

  it("keeps click ids the payload names itself next to the known ones", () => {
    const { tracking } = extractTracking(
      signals({ clickIds: { partnerize_clickref: "P1", awc: "explicit-but-generic" }, attributes: [["awc", "A1"]] })
    )
    expect(tracking.clickIds).toEqual({ partnerize_clickref: "P1", awc: "A1" })
  })

  it("reports the consent attribute and the key it came from", () => {
    expect(extractTracking(signals({ attributes: [["_consent", "granted"]] })).consent).toEqual({
      key: "_consent",
      value: "granted"
    })
    expect(extractTracking(signals({ attributes: [["cmp", "yes"]] }), { consent: ["cmp"] }).consent).toEqual({
      key: "cmp",
      value: "yes"
    })
    expect(extractTracking(signals({ landingUrl: "/?consent=granted" })).consent).toBeUndefined()
  })

  it("lists every configurable field in the default table", () => {
    for (const keys of Object.values(DEFAULT_TRACKING_KEYS)) expect(keys.length).toBeGreaterThan(0)
  })
})

describe("fbclid capture time", () => {
  it.each([
    ["fb.1.1733083501234.ABC", "ABC", "2024-12-01T20:05:01.234Z"],
    ["fb.2.1733083501234.ABC.Bg", "ABC", "2024-12-01T20:05:01.234Z"], // Param Builder appendix
    ["fb.1.1733083501234.OTHER", "ABC", undefined], // the cookie is about another click
    ["fb.1.notatime.ABC", "ABC", undefined],
    ["garbage", "ABC", undefined],
    [undefined, "ABC", undefined]
  ])("fbc %j with fbclid %s -> %j", (fbc, fbclid, expected) => {
    expect(fbcCapturedAt(fbc, fbclid)).toBe(expected)
  })

  it("prefers a stated capture time and omits it without an fbclid", () => {
    const stated = extractTracking(
      signals({
        attributes: [
          ["fbclid", "ABC"],
          ["_fbc", "fb.1.1733083501234.ABC"]
        ],
        fbclidCapturedAt: "2024-01-01T00:00:00.000Z"
      })
    )
    expect(stated.tracking.fbclidCapturedAt).toBe("2024-01-01T00:00:00.000Z")
    const noFbclid = extractTracking(signals({ attributes: [["_fbc", "fb.1.1733083501234.ABC"]] }))
    expect(noFbclid.tracking.fbclidCapturedAt).toBeUndefined()
  })
})

describe("queryParams", () => {
  it.each<[string | undefined, Record<string, string>]>([
    ["/?a=1&b=2", { a: "1", b: "2" }],
    ["https://x.example/p?a=%C3%A9t%C3%A9&b=x+y#frag?c=3", { a: "été", b: "x y" }],
    ["shop.example", {}],
    ["/path#?a=1", {}],
    ["/?a=&b=%", { b: "%" }],
    [undefined, {}]
  ])("%j", (url, expected) => {
    expect(Object.fromEntries(queryParams(url))).toEqual(expected)
  })
})
