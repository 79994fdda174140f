import { describe, expect, it } from "vitest"
import { resolveClickId } from "../../../../src/dispatch/channels/postback/clickId.js"
import { renderPostback } from "../../../../src/dispatch/channels/postback/render.js"
import { encodeValue } from "../../../../src/dispatch/channels/postback/template.js"
import { formatAmount, VARIABLE_NAMES } from "../../../../src/dispatch/channels/postback/variables.js"
import { NOW, order, target, tracking } from "./fixtures.js"

const render = (url: string, o = order(), patch = {}) => renderPostback(target({ url, ...patch }), o, "conversion", NOW)
const urlOf = (plan: ReturnType<typeof render>) => (plan._tag === "Request" ? plan.url : `${plan._tag}: ${plan.detail}`)

describe("which click id {click_id} is", () => {
  const cases = [
    {
      when: "the target names the key",
      o: tracking({ clickIds: { awc: "A", irclickid: "I" } }),
      key: "irclickid",
      expect: "I"
    },
    {
      when: "the named key is missing (no fallback)",
      o: tracking({ clickIds: { awc: "A" } }),
      key: "irclickid",
      expect: undefined
    },
    { when: "the named key is a Google id", o: tracking({ clickIds: {}, gclid: "G" }), key: "gclid", expect: "G" },
    { when: "partner awin -> awc", o: tracking({ clickIds: { clickid: "C", awc: "A" } }), key: undefined, expect: "A" },
    {
      when: "partner awin-de -> awc (first segment)",
      o: { ...tracking({ clickIds: { clickid: "C", awc: "A" } }), partner: "awin-de" },
      key: undefined,
      expect: "A"
    },
    {
      when: "partner impact -> irclickid",
      o: { ...tracking({ clickIds: { awc: "A", irclickid: "I" } }), partner: "impact" },
      key: undefined,
      expect: "I"
    },
    {
      when: "an unknown partner: the first click id, not a sub id",
      o: { ...tracking({ clickIds: { sub1: "S", aff_sub: "T", utm_id: "U", tid: "X" } }), partner: "shareasale" },
      key: undefined,
      expect: "X"
    },
    {
      when: "the known partner's key is absent: no other network's id (a cjevent is never sent to Awin)",
      o: tracking({ clickIds: { cjevent: "J" } }),
      key: undefined,
      expect: undefined
    },
    {
      when: "the key of a partner with a known first segment is absent: nothing either",
      o: { ...tracking({ clickIds: { irclickid: "I" } }), partner: "awin-de" },
      key: undefined,
      expect: undefined
    },
    { when: "blank values do not count", o: tracking({ clickIds: { awc: "  " } }), key: undefined, expect: undefined },
    {
      when: "a partner named like an Object property",
      o: { ...tracking({ clickIds: { clickid: "C" } }), partner: "constructor" },
      key: undefined,
      expect: "C"
    }
  ]
  it.each(cases)("when $when", (c) => {
    expect(resolveClickId(c.o, c.key).value).toBe(c.expect)
  })
})

describe("rendering", () => {
  it("renders every documented variable, missing values as empty strings", () => {
    const url = `http://h/p?${VARIABLE_NAMES.map((n) => `${n}={${n}}`).join("&")}`
    const plan = render(url, { ...order(), market: undefined, tracking: { ...order().tracking, coupon: undefined } })
    const params = new URL(urlOf(plan)).searchParams
    expect(params.get("market")).toBe("")
    expect(params.get("coupon")).toBe("")
    expect(params.get("now")).toBe(String(NOW.getTime() / 1000))
    expect(params.get("now_iso")).toBe("2026-03-02T08:00:00.000Z")
    expect(params.get("products")).toBe("vitamins,sample-kit")
    expect(params.get("subtotal")).toBe("49.90")
    expect(params.get("original_amount")).toBe("49.90")
    expect(params.get("refunded_amount")).toBe("0.00")
    expect(params.get("kind")).toBe("conversion")
    expect(params.get("source")).toBe("shop-de")
    expect([...params.keys()]).toEqual(VARIABLE_NAMES)
  })

  it("formats amounts with the currency's digits", () => {
    expect([
      formatAmount(4990, "EUR"),
      formatAmount(5, "EUR"),
      formatAmount(0, "EUR"),
      formatAmount(4990, "JPY"),
      formatAmount(12345, "KWD"),
      formatAmount(-250, "EUR"),
      formatAmount(123456789, "CAD")
    ]).toEqual(["49.90", "0.05", "0.00", "4990", "12.345", "-2.50", "1234567.89"])
  })

  it("falls back to the placed time, then the dispatch time, for {timestamp}", () => {
    const placed = render("http://h/p?t={timestamp}", order({ paidAt: undefined }))
    expect(urlOf(placed)).toBe("http://h/p?t=1772359200")
    const garbage = render("http://h/p?t={timestamp}", order({ paidAt: undefined, placedAt: "not a date" }))
    expect(urlOf(garbage)).toBe(`http://h/p?t=${NOW.getTime() / 1000}`)
  })

  it("withholds the email hash when ad_user_data consent is denied, and for an invalid email", () => {
    expect(urlOf(render("http://h/p?e={email_sha256}", order({ consent: { adUserData: "denied" } })))).toBe(
      "http://h/p?e="
    )
    expect(urlOf(render("http://h/p?e={email_sha256}", order({ customer: { email: "not an email" } })))).toBe(
      "http://h/p?e="
    )
    expect(urlOf(render("http://h/p?e={email_sha256}", order({ customer: {} })))).toBe("http://h/p?e=")
  })

  it("cannot change the host, path or query structure through a value", () => {
    const hostile = tracking({ clickIds: { awc: "x@evil.com/../../admin?y=1#z" } })
    const plan = render("http://partner.example/p?cid={click_id}&ok=1", hostile)
    const url = new URL(urlOf(plan))
    expect([url.host, url.pathname, url.hash]).toEqual(["partner.example", "/p", ""])
    expect([...url.searchParams.entries()]).toEqual([
      ["cid", "x@evil.com/../../admin?y=1#z"],
      ["ok", "1"]
    ])
  })

  it("encodes lone surrogates instead of throwing", () => {
    expect(encodeValue("a\uD800b", "url")).toBe("a%EF%BF%BDb")
    expect(encodeValue("a\uDC00", "json")).toBe("a\uFFFD")
    expect(encodeValue('"\\\n\u0001', "json")).toBe('\\"\\\\\\n\\u0001')
  })

  it("shows secrets as [redacted] in a dry run and fills them when given", () => {
    const t = target({
      url: "http://h/p?token={env:TOKEN}&cid={click_id}",
      headers: { "x-api-key": "env:KEY", Accept: "text/plain" }
    })
    const dry = renderPostback(t, order(), "conversion", NOW)
    expect(dry).toEqual({
      _tag: "Request",
      method: "GET",
      url: "http://h/p?token=%5Bredacted%5D&cid=1001_1740000000_abc",
      headers: { "x-api-key": "[redacted]", Accept: "text/plain" },
      secretHeaders: ["x-api-key"]
    })
    const real = renderPostback(
      t,
      order(),
      "conversion",
      NOW,
      new Map([
        ["TOKEN", "t&1"],
        ["KEY", "k"]
      ])
    )
    expect(real).toMatchObject({ url: "http://h/p?token=t%261&cid=1001_1740000000_abc", headers: { "x-api-key": "k" } })
  })

  it("refuses what validation would have refused, as Invalid", () => {
    expect(render("http://h/p?x={nope}")).toEqual({ _tag: "Invalid", detail: "url: unknown variable {nope}" })
    expect(render("http://h/p", order(), { body: "a=1" })._tag).toBe("Invalid")
    expect(
      render("http://h/p", order(), { method: "POST", body: '{"a": {coupon}}', bodyFormat: "json" })
    ).toMatchObject({
      _tag: "Invalid"
    })
  })

  it("infers a JSON body from its first character unless bodyFormat says otherwise", () => {
    const json = render("http://h/p", order(), { method: "POST", body: ' {"c": "{coupon}"}' })
    expect(json).toMatchObject({ body: ' {"c": "SPRING10"}', headers: { "Content-Type": "application/json" } })
    const form = render("http://h/p", order(), { method: "POST", body: "c={coupon}" })
    expect(form).toMatchObject({ headers: { "Content-Type": "application/x-www-form-urlencoded" } })
  })
})
