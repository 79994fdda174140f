// URLs sent to partners carry no personal data: given a landing URL, what may leave.
import { describe, expect, it } from "vitest"
import {
  CLICK_ID_PARAMETERS,
  configuredUrlParameters,
  keptParameter,
  partnerSafeUrl
} from "../../src/config/urlPrivacy.js"
import { DEFAULT_TRACKING_KEYS, QUERY_ONLY_KEYS } from "../../src/normalize/tracking.js"

describe("partnerSafeUrl", () => {
  it.each([
    [
      "keeps click ids and utm_*",
      "https://shop.example/p?gclid=Cj0&utm_source=google&utm_campaign=bf",
      "https://shop.example/p?gclid=Cj0&utm_source=google&utm_campaign=bf"
    ],
    [
      "drops an email parameter",
      "https://shop.example/p?email=jane@example.com&fbclid=IwAR",
      "https://shop.example/p?fbclid=IwAR"
    ],
    [
      "drops a URL-encoded email",
      "https://shop.example/p?email=jane%40example.com&gclid=G",
      "https://shop.example/p?gclid=G"
    ],
    [
      "drops a double-encoded email",
      "https://shop.example/p?e=jane%2540example.com&msclkid=M",
      "https://shop.example/p?msclkid=M"
    ],
    [
      "drops phone, name, token and unknown parameters",
      "https://shop.example/p?phone=%2B4915123456789&name=Jane&token=abc&ref=x&ttclid=T",
      "https://shop.example/p?ttclid=T"
    ],
    [
      "drops a kept parameter whose value is an email",
      "https://shop.example/p?utm_campaign=nl-jane%40example.com&utm_source=mail",
      "https://shop.example/p?utm_source=mail"
    ],
    [
      "drops a kept parameter whose value is a phone number",
      "https://shop.example/p?utm_content=cb-0151+23456789&gclid=G",
      "https://shop.example/p?gclid=G"
    ],
    [
      "cuts a path that holds a phone number",
      "https://shop.example/callback/%2B4915123456789?gclid=G",
      "https://shop.example/?gclid=G"
    ],
    ["drops the fragment", "https://shop.example/p?gclid=G#access_token=secret", "https://shop.example/p?gclid=G"],
    ["drops userinfo", "https://user:pw@shop.example/p", "https://shop.example/p"],
    [
      "cuts a path that holds an email",
      "https://shop.example/unsubscribe/jane%40example.com?gclid=G",
      "https://shop.example/?gclid=G"
    ],
    ["cuts a path with a double-encoded email", "https://shop.example/u/jane%2540example.com", "https://shop.example/"],
    [
      "ignores the case of parameter names",
      "https://shop.example/p?GCLID=G&UTM_Source=x&Email=j@x.de",
      "https://shop.example/p?GCLID=G&UTM_Source=x"
    ],
    [
      "a URL with nothing to keep",
      "https://shop.example/checkout/thank-you?key=wc_order_abc&email=a@b.de",
      "https://shop.example/checkout/thank-you"
    ]
  ])("%s", (_, input, expected) => {
    expect(partnerSafeUrl(input)).toBe(expected)
  })

  it.each([["/products/x?gclid=G"], ["mailto:jane@example.com"], ["javascript:alert(1)"], [""], ["not a url"]])(
    "refuses %j (not an absolute http(s) URL)",
    (input) => {
      expect(partnerSafeUrl(input)).toBeUndefined()
    }
  )

  it("keeps the affiliate parameters the configuration knows", () => {
    const configured = configuredUrlParameters({
      sources: [
        { id: "s", kind: "shopify", company: "c", enabled: true, tracking: { clickid: ["tduid"], utm_source: ["src"] } }
      ],
      partners: [
        { id: "everflow", when: ["transaction_id", "sub1=creator-*"] },
        { id: "adcell", when: ["bid"] }
      ],
      targets: [
        {
          id: "p",
          channel: "postback",
          enabled: true,
          method: "GET",
          url: "https://p.example/?c={click_id}",
          clickId: "pclick"
        }
      ]
    })
    const url = "https://shop.example/p?tduid=1&bid=2&pclick=3&sub1=creator-x&aff_sub=y&src=z&email=a%40b.de"
    expect(partnerSafeUrl(url)).toBe("https://shop.example/p")
    expect(partnerSafeUrl(url, configured)).toBe(
      "https://shop.example/p?tduid=1&bid=2&pclick=3&sub1=creator-x&aff_sub=y"
    )
  })

  it("keeps every click-id key s2s reads from landing URLs (the allow-list cannot drift from normalize)", () => {
    const fields = ["gclid", "gbraid", "wbraid", "fbclid", "awc", "irclickid", "cjevent", "clickid"] as const
    for (const field of fields)
      for (const key of DEFAULT_TRACKING_KEYS[field]) expect(keptParameter(key), key).toBe(true)
    for (const key of QUERY_ONLY_KEYS.clickid ?? []) expect(keptParameter(key), key).toBe(true)
    expect(CLICK_ID_PARAMETERS).toContain("msclkid")
  })
})
