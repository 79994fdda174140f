import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { daysBetween, funnelOf, landingPages } from "../../src/console/coverage/aggregate.js"
import { coverageFilters } from "../../src/console/coverage/page.js"
import type { FunnelGroup } from "../../src/console/coverage/query.js"
import { hasUsable, usableKeyMap } from "../../src/console/coverage/usable.js"

const keyMap = usableKeyMap([
  { id: "google", when: ["gclid", "utm_source=google"] },
  { id: "awin", when: ["awc", "utm_source=awin"] },
  { id: "newsletter", when: ["utm_source=newsletter"] }
])

const group = (g: Partial<FunnelGroup> & Pick<FunnelGroup, "n">): FunnelGroup => ({
  day: "2026-11-25",
  company: "acme",
  market: "DE",
  partner: "google",
  click_keys: [],
  eligible: true,
  delivered: true,
  acknowledged: true,
  ...g
})

describe("usable click ids", () => {
  it("are the keys the partner rule names, Google's and Meta's own, none for a UTM-only partner", () => {
    expect(keyMap).toEqual({ google: ["gclid"], meta: ["fbclid", "fbc"], awin: ["awc"], newsletter: [] })
    expect(hasUsable("google", ["fbp", "gclid"], keyMap)).toBe(true)
    expect(hasUsable("google", ["gbraid"], keyMap)).toBe(false)
    expect(hasUsable("meta", ["fbc"], keyMap)).toBe(true)
    expect(hasUsable("newsletter", ["awc"], keyMap)).toBe(false)
    expect(hasUsable("unknown", ["gclid"], keyMap)).toBe(false)
    expect(hasUsable(null, ["gclid"], keyMap)).toBe(false)
  })
})

describe("the coverage funnel", () => {
  const range = { from: new Date("2026-11-24T00:00:00Z"), to: new Date("2026-11-26T00:00:00Z") }

  it("adds groups up per row, per day (every day of the range) and in total", () => {
    const result = funnelOf(
      [
        group({ n: 5, click_keys: ["gclid"] }),
        group({ n: 2, click_keys: [], delivered: false, acknowledged: false }),
        group({ n: 1, partner: "awin", click_keys: ["awc"], eligible: false, delivered: false, acknowledged: false }),
        group({ n: 3, day: "2026-11-24", market: "AT", click_keys: ["gclid"], acknowledged: false })
      ],
      keyMap,
      range
    )
    expect(result.totals).toEqual({ paid: 11, withClickId: 9, eligible: 10, delivered: 8, acknowledged: 5 })
    expect(result.days).toEqual([
      { day: "2026-11-24", paid: 3, withClickId: 3, eligible: 3, delivered: 3, acknowledged: 0 },
      { day: "2026-11-25", paid: 8, withClickId: 6, eligible: 7, delivered: 5, acknowledged: 5 }
    ])
    expect(result.rows.map((r) => [r.day, r.market, r.partner, r.paid, r.withClickId])).toEqual([
      ["2026-11-25", "DE", "awin", 1, 1],
      ["2026-11-25", "DE", "google", 7, 5],
      ["2026-11-24", "AT", "google", 3, 3]
    ])
  })

  it("lists every day of the range, also the empty ones", () => {
    expect(daysBetween(new Date("2026-11-01T00:00:00Z"), new Date("2026-11-04T00:00:00Z"))).toEqual([
      "2026-11-01",
      "2026-11-02",
      "2026-11-03"
    ])
    expect(funnelOf([], keyMap, range).days.map((d) => d.paid)).toEqual([0, 0])
  })

  it("reduces landing pages to host and path, without e-mail addresses, merged", () => {
    expect(
      landingPages([
        { partner: "google", url: "https://shop.test/a", orders: 2 },
        { partner: "google", url: "https://shop.test/a", orders: 1 },
        { partner: "google", url: "https://shop.test/unsubscribe/anna@example.de", orders: 4 },
        { partner: "awin", url: null, orders: 1 }
      ])
    ).toEqual([
      { partner: "google", name: "shop.test/unsubscribe/[email]", orders: 4 },
      { partner: "google", name: "shop.test/a", orders: 3 },
      { partner: "awin", name: null, orders: 1 }
    ])
  })
})

describe("the coverage range", () => {
  const now = new Date("2026-11-25T15:00:00Z")
  it("defaults to the last 14 UTC days, today included", () => {
    const f = Either.getOrThrow(coverageFilters({}, now))
    expect([f.from.toISOString(), f.to.toISOString()]).toEqual(["2026-11-12T00:00:00.000Z", "2026-11-26T00:00:00.000Z"])
  })

  it("refuses ranges that are reversed, too long or not dates", () => {
    expect(coverageFilters({ from: "2026-11-20", to: "2026-11-10" }, now)).toEqual(
      Either.left("from must be before to")
    )
    expect(coverageFilters({ from: "2026-01-01", to: "2026-11-10" }, now)).toEqual(
      Either.left("the range is at most 92 days; narrow from and to")
    )
    expect(Either.isLeft(coverageFilters({ from: "yesterday" }, now))).toBe(true)
    expect(Either.getOrThrow(coverageFilters({ market: " de ", company: "" }, now))).toMatchObject({
      market: "DE",
      company: undefined
    })
  })
})
