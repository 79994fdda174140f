// No substituted value may change where a postback goes: its scheme, host, port, path structure or
// parameter list. Property-tested over hostile values (slashes, dot segments incl. %2e%2e, ?, #, @,
// CR/LF, Unicode, lone surrogates, 10 kB strings) in every position of a template; a value that
// cannot be placed safely is refused (Unplaceable), never sent somewhere else. {items} too long for
// a URL is shortened by whole items with a "+N" marker.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_URL_LENGTH, placeUrl, truncateItems } from "../../../../src/dispatch/channels/postback/placement.js"
import { renderPostback } from "../../../../src/dispatch/channels/postback/render.js"
import { NOW, order, target, tracking } from "./fixtures.js"

const SEED = 1414
const params = { seed: SEED, numRuns: 300 }

const TEMPLATES = [
  "https://partner.example/click/{click_id}/track?ok=1",
  "https://partner.example:8443/c/{click_id}",
  "https://partner.example/c/x-{click_id}.gif",
  "https://partner.example/{sub1}/{click_id}/{order_id}?amount={amount}",
  "https://partner.example/p?cid={click_id}&sub={sub1}&ref={order_id}#frag",
  "http://10.0.0.1/a/b/{click_id}{sub1}?x={click_id}",
  "https://partner.example/.{click_id}/end"
]

const HOSTILE = [
  ".",
  "..",
  "%2e%2e",
  "%2E%2E",
  ".%2e",
  "%2e.",
  "%2e",
  "../../admin",
  "/",
  "//evil.example",
  "?",
  "#",
  "@",
  "a@evil.example",
  "\r\nHost: evil",
  "\\..\\",
  "",
  " ",
  "%00",
  "\u0000",
  "%",
  "%zz",
  "\uD800",
  "é/ü?ß#",
  "https://evil.example/",
  ":8080",
  "[::1]"
]

const hostileValue = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.array(fc.constantFrom(...HOSTILE, "a", "1", "-"), { maxLength: 6 }).map((parts) => parts.join("")),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(".", "/", "%", "2", "e", "?", "#", "@", "\\"), maxLength: 12 }),
  fc.nat({ max: 10_240 }).map((n) => "x".repeat(n)),
  fc.constant("./".repeat(5_120))
)

/** Lone surrogates as U+FFFD, as the encoder sends them. */
const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8")

/** The template with each placeholder as `x`: the structure every rendered URL must keep. */
const skeleton = (template: string) => new URL(template.replace(/\{[^{}]+\}/g, "x"))

/** Path segments that hold no placeholder: each must stay what it is, where it is. */
const literalSegments = (template: string) =>
  new URL(template.replace(/\{[^{}]+\}/g, "~ph~")).pathname
    .split("/")
    .map((s, i) => [i, s] as const)
    .filter(([, s]) => !s.includes("~ph~"))

describe("placing hostile values in a postback URL", () => {
  it("never changes the scheme, host, port, path structure or parameters; refuses instead", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES), hostileValue, hostileValue, (template, clickId, sub1) => {
        const o = tracking({ clickIds: { awc: clickId, sub1 } })
        const plan = renderPostback(target({ url: template }), o, "conversion", NOW)
        if (clickId.trim() === "") {
          expect(plan._tag).toBe("Skip") // no click id: skipped, not sent
          return
        }
        if (plan._tag === "Unplaceable") {
          expect(plan.detail).toMatch(/^not sent: /)
          return
        }
        expect(plan._tag).toBe("Request")
        if (plan._tag !== "Request") return
        const url = new URL(plan.url)
        const expected = skeleton(template)
        expect([url.protocol, url.username, url.password, url.hostname, url.port]).toEqual([
          expected.protocol,
          expected.username,
          expected.password,
          expected.hostname,
          expected.port
        ])
        const segments = url.pathname.split("/")
        expect(segments).toHaveLength(expected.pathname.split("/").length)
        for (const [i, literal] of literalSegments(template)) expect(segments[i]).toBe(literal)
        expect([...url.searchParams.keys()]).toEqual([...expected.searchParams.keys()])
        expect(plan.url).not.toMatch(/[\r\n\s]/)
        expect(plan.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH)
        // Query values arrive as they were, byte for byte (lone surrogates excepted: U+FFFD).
        if (url.searchParams.has("cid")) expect(url.searchParams.get("cid")).toBe(wellFormed(clickId))
      }),
      params
    )
  })

  it.each([
    ["..", "a dot segment"],
    [".", "a dot segment"],
    ["%2e%2e", undefined],
    [".%2E", undefined]
  ])("click id %j in a path segment", (clickId, refusal) => {
    const plan = renderPostback(
      target({ url: "https://partner.example/click/{click_id}/track" }),
      tracking({ clickIds: { awc: clickId } }),
      "conversion",
      NOW
    )
    if (refusal === undefined) {
      // Encoded, the value's own "%" becomes %25: no dot segment, it arrives as the value itself.
      expect(plan).toMatchObject({ _tag: "Request" })
      if (plan._tag === "Request") expect(decodeURIComponent(new URL(plan.url).pathname.split("/")[2]!)).toBe(clickId)
    } else {
      expect(plan).toEqual({
        _tag: "Unplaceable",
        detail: `not sent: {click_id} makes the path segment ${JSON.stringify(clickId)}, ${refusal} that would change the URL's path`
      })
    }
  })

  it("refuses a value that completes a dot segment with the template's own text", () => {
    const plan = renderPostback(
      target({ url: "https://partner.example/.{click_id}/end" }),
      tracking({ clickIds: { awc: "." } }),
      "conversion",
      NOW
    )
    expect(plan).toMatchObject({ _tag: "Unplaceable" })
  })

  it("refuses an empty path segment (servers collapse //), but not an empty query value", () => {
    const o = tracking({ clickIds: { awc: "abc" } })
    expect(renderPostback(target({ url: "https://p.example/{sub1}/{click_id}" }), o, "conversion", NOW)).toMatchObject({
      _tag: "Unplaceable",
      detail: expect.stringContaining("{sub1} is empty")
    })
    expect(
      renderPostback(target({ url: "https://p.example/c/{click_id}?s={sub3}" }), o, "conversion", NOW)
    ).toMatchObject({ _tag: "Request", url: "https://p.example/c/abc?s=" })
  })

  it("refuses a URL that would be too long to send", () => {
    const plan = renderPostback(
      target({ url: "https://p.example/c?cid={click_id}" }),
      tracking({ clickIds: { awc: "x".repeat(10_240) } }),
      "conversion",
      NOW
    )
    expect(plan).toEqual({
      _tag: "Unplaceable",
      detail: `not sent: the URL would be 10264 characters, over the ${MAX_URL_LENGTH} that servers accept ({click_id} alone is 10240 characters)`
    })
  })
})

describe("{items} too long for a URL", () => {
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ sku: `SKU-${String(i).padStart(5, "0")}`, quantity: 1, priceMinor: 999 }))

  it("keeps whole items in order and ends with +N for the ones left out", () => {
    const plan = renderPostback(
      target({ url: "https://p.example/c?cid={click_id}&items={items}" }),
      order({ lineItems: lines(2_000) }),
      "conversion",
      NOW
    )
    expect(plan._tag).toBe("Request")
    if (plan._tag !== "Request") return
    expect(plan.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH)
    const items = new URL(plan.url).searchParams.get("items")!.split("|")
    const marker = items.at(-1)!
    expect(marker).toMatch(/^\+\d+$/)
    const kept = items.slice(0, -1)
    expect(kept.length + Number(marker.slice(1))).toBe(2_000)
    kept.forEach((item, i) => expect(item).toBe(`SKU-${String(i).padStart(5, "0")}:1:9.99`))
    expect(plan.notes).toEqual([
      `{items} shortened to fit the URL: the last ${marker.slice(1)} item(s) left out, marked ${marker}`
    ])
    // As many as fit: one more item would not.
    const oneMore = plan.url.replace(`%7C${marker.replace("+", "%2B")}`, "")
    expect(oneMore.length).toBeLessThan(plan.url.length)
  })

  it("leaves a list that fits as it is", () => {
    const plan = renderPostback(
      target({ url: "https://p.example/c?cid={click_id}&items={items}" }),
      order({ lineItems: lines(3) }),
      "conversion",
      NOW
    )
    expect(plan).toMatchObject({ _tag: "Request" })
    if (plan._tag === "Request") {
      expect(new URL(plan.url).searchParams.get("items")).toBe("SKU-00000:1:9.99|SKU-00001:1:9.99|SKU-00002:1:9.99")
      expect(plan.notes).toBeUndefined()
    }
  })

  it("truncateItems: whole items and a count", () => {
    expect(truncateItems("a:1:1|b:2:2|c:3:3", 1)).toBe("a:1:1|+2")
    expect(truncateItems("a:1:1|b:2:2|c:3:3", 0)).toBe("+3")
    expect(truncateItems("a:1:1", 5)).toBe("a:1:1")
  })

  it("the longest prefix that fits, for any order size (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 40 }), (count, skuLength) => {
        const items = Array.from({ length: count }, (_, i) => `${"s".repeat(skuLength)}${i}:1:1.00`).join("|")
        const placed = placeUrl("https://p.example/c?items={items}", (n) => (n === "items" ? items : undefined))
        expect(placed._tag).toBe("Placed")
        if (placed._tag !== "Placed") return
        expect(placed.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH)
        if (placed.truncatedItems !== undefined) {
          const keep = count - placed.truncatedItems
          const longer = `https://p.example/c?items=${encodeURIComponent(truncateItems(items, keep + 1))}`
          expect(longer.length).toBeGreaterThan(MAX_URL_LENGTH)
        }
      }),
      { seed: SEED, numRuns: 60 }
    )
  })
})
