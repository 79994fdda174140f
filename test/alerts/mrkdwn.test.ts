import { describe, expect, it } from "vitest"
import { landingPageOf, referrerHostOf } from "../../src/alerts/alert.js"
import {
  clip,
  code,
  escapeMrkdwn,
  link,
  orderLogReference,
  percent,
  scrubPersonalData
} from "../../src/alerts/mrkdwn.js"
import { shellArg } from "../../src/lib/shell.js"

describe("mrkdwn", () => {
  it.each([
    ["a & b", "a &amp; b"],
    ["<!channel>", "&lt;!channel&gt;"],
    ["<https://evil|Google>", "&lt;https://evil|Google&gt;"],
    ["&amp;", "&amp;amp;"],
    ["plain *bold* _it_", "plain *bold* _it_"]
  ])("escapes %s", (raw, escaped) => {
    expect(escapeMrkdwn(raw)).toBe(escaped)
  })

  it("clips before escaping, so no entity is cut", () => {
    expect(clip("abcdef", 4)).toBe("abc…")
    expect(code("a`b<c")).toBe("`a'b&lt;c`")
    expect(code("&&&&&", 3)).toBe("`&amp;&amp;…`")
  })

  it("links cannot be broken out of", () => {
    expect(link("https://x.example/a|b>c", "<label>")).toBe("<https://x.example/a%7Cb%3Ec|&lt;label&gt;>")
  })

  it("scrubs emails and phone numbers, in every form they take in text and URLs", () => {
    expect(scrubPersonalData("mail anna.mueller+shop@example.de now")).toBe("mail [email] now")
    expect(scrubPersonalData("no mail @ here")).toBe("no mail @ here")
    expect(scrubPersonalData("/optin?e=anna%40example.de&x=anna%2540example.de")).toBe("/optin?e=[email]&x=[email]")
    expect(scrubPersonalData("call +49 (0)151 2345-6789 or 0151/23456789")).toBe("call [phone] or [phone]")
    expect(scrubPersonalData("spring_sale_2026 order 7384341 ip 203.0.113.42")).toBe(
      "spring_sale_2026 order 7384341 ip 203.0.113.42"
    )
  })

  it("quotes order keys for the shell only when needed", () => {
    expect(shellArg("shop-de:1001")).toBe("shop-de:1001")
    expect(shellArg("shop de:#1001")).toBe("'shop de:#1001'")
    expect(shellArg("it's")).toBe("'it'\\''s'")
  })

  it("refers to the order log by its console link and CLI", () => {
    expect(
      orderLogReference("shop-de:#1001", "https://s2s.example/console/link?order=shop-de%3A%231001&exp=1&sig=x")
    ).toBe(
      "Order log: <https://s2s.example/console/link?order=shop-de%3A%231001&exp=1&sig=x|shop-de:#1001> · `s2s orders log 'shop-de:#1001'`"
    )
    expect(orderLogReference("shop-de:1001", undefined)).toBe("Order log: `s2s orders log shop-de:1001`")
  })

  it.each([
    [0, 10, "0%"],
    [7, 10, "70%"],
    [10, 10, "100%"],
    [57, 100, "57%"],
    [1, 3, "33.3%"],
    [2, 3, "66.6%"],
    [999, 1000, "99.9%"],
    [9999, 10000, "99.9%"],
    [1, 0, "–"]
  ])("percent(%i, %i) = %s", (part, whole, text) => {
    expect(percent(part, whole)).toBe(text)
  })
})

describe("landing pages and referrers", () => {
  it.each([
    [
      "https://shop.example/p/x?gclid=abc&utm_source=g&gclid=def",
      { page: "shop.example/p/x", queryKeys: ["gclid", "utm_source"] }
    ],
    ["/collections/all?ref=footer", { page: "/collections/all", queryKeys: ["ref"] }],
    ["https://shop.example", { page: "shop.example/", queryKeys: [] }],
    ["https://shop.example/caf%C3%A9", { page: "shop.example/café", queryKeys: [] }],
    ["https://shop.example/%E0%A4%A", { page: "shop.example/%E0%A4%A", queryKeys: [] }],
    ["https://shop.example/u/anna%40example.de", { page: "shop.example/u/[email]", queryKeys: [] }],
    ["   ", undefined],
    [undefined, undefined]
  ])("%s", (raw, expected) => {
    expect(landingPageOf(raw)).toEqual(expected)
  })

  it("keeps only the referrer's host", () => {
    expect(referrerHostOf("https://www.google.com/search?q=anna+mueller")).toBe("www.google.com")
    expect(referrerHostOf("android-app://com.google.android.gm/")).toBe("com.google.android.gm")
    expect(referrerHostOf("not a url")).toBeUndefined()
  })
})
