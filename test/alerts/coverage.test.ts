import { describe, expect, it } from "vitest"
import type { Block } from "../../src/alerts/blocks.js"
import {
  type CoverageRow,
  coverageDigestAlert,
  coverageFrom,
  coverageMessage,
  coverageRowOf,
  hasUsableClickId
} from "../../src/alerts/coverage.js"
import { messageFor } from "../../src/alerts/index.js"
import type { CanonicalOrder } from "../../src/events/CanonicalOrder.js"
import { CUSTOMER_EMAIL, makeOrder, partners } from "./support/orders.js"

const rows = (
  n: number,
  row: Omit<CoverageRow, "hasClickId" | "delivered">,
  hasClickId: boolean,
  delivered: boolean
): ReadonlyArray<CoverageRow> => Array.from({ length: n }, () => ({ ...row, hasClickId, delivered }))

// acme/google: 10 paid, 7 with gclid, 9 delivered; spring-sale lost 2, (none) lost 1.
// acme/meta: 4 paid, all with fbc, all delivered. acme/no partner: 3. beta/awin: 5 paid, 1 with awc.
const day: ReadonlyArray<CoverageRow> = [
  ...rows(7, { company: "acme", partner: "google", campaign: "brand" }, true, true),
  ...rows(2, { company: "acme", partner: "google", campaign: "spring-sale" }, false, true),
  ...rows(1, { company: "acme", partner: "google" }, false, false),
  ...rows(4, { company: "acme", partner: "meta", campaign: "retargeting" }, true, true),
  ...rows(3, { company: "acme" }, false, true),
  ...rows(1, { company: "beta", partner: "awin", campaign: "publisher-42" }, true, true),
  ...rows(3, { company: "beta", partner: "awin", campaign: "publisher-7" }, false, false),
  ...rows(1, { company: "beta", partner: "awin", campaign: "  " }, false, true)
]

describe("coverageFrom", () => {
  it("counts per company and partner and names the campaigns with the most missing click ids", () => {
    expect(coverageFrom(day)).toEqual({
      totals: { paid: 22, withClickId: 12, delivered: 18 },
      partners: [
        {
          company: "acme",
          partner: "google",
          paid: 10,
          withClickId: 7,
          delivered: 9,
          worstCampaigns: [
            { campaign: "spring-sale", missing: 2 },
            { campaign: "(none)", missing: 1 }
          ]
        },
        { company: "acme", partner: "meta", paid: 4, withClickId: 4, delivered: 4, worstCampaigns: [] },
        {
          company: "acme",
          partner: "(none)",
          paid: 3,
          withClickId: 0,
          delivered: 3,
          worstCampaigns: [{ campaign: "(none)", missing: 3 }]
        },
        {
          company: "beta",
          partner: "awin",
          paid: 5,
          withClickId: 1,
          delivered: 2,
          worstCampaigns: [
            { campaign: "publisher-7", missing: 3 },
            { campaign: "(none)", missing: 1 }
          ]
        }
      ],
      worstCampaigns: [
        { company: "acme", partner: "(none)", campaign: "(none)", missing: 3 },
        { company: "beta", partner: "awin", campaign: "publisher-7", missing: 3 },
        { company: "acme", partner: "google", campaign: "spring-sale", missing: 2 },
        { company: "acme", partner: "google", campaign: "(none)", missing: 1 },
        { company: "beta", partner: "awin", campaign: "(none)", missing: 1 }
      ]
    })
  })

  it("keeps the three worst campaigns per partner", () => {
    const many = ["a", "b", "c", "d"].flatMap((c, i) =>
      rows(i + 1, { company: "x", partner: "p", campaign: c }, false, true)
    )
    expect(coverageFrom(many).partners[0]?.worstCampaigns.map((c) => c.campaign)).toEqual(["d", "c", "b"])
  })

  it("an empty day is all zeros", () => {
    expect(coverageFrom([])).toEqual({
      totals: { paid: 0, withClickId: 0, delivered: 0 },
      partners: [],
      worstCampaigns: []
    })
  })
})

const texts = (block: Block | undefined): ReadonlyArray<string> =>
  block === undefined || block.type === "divider"
    ? []
    : block.type === "context"
      ? block.elements.map((e) => e.text)
      : "text" in block
        ? [block.text.text]
        : block.fields.map((f) => f.text)

describe("coverageMessage", () => {
  const message = coverageMessage(coverageFrom(day), "2026-03-09")

  it("renders the shares with a usable click id and delivered, and names the worst campaigns", () => {
    expect(message.text).toBe(
      "Tracking coverage 2026-03-09: 22 paid orders · 54.5% with a usable click id · 81.8% delivered to all their targets"
    )
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "section", "context"])
    expect(message.blocks[0]).toMatchObject({ text: { text: ":bar_chart: Tracking coverage 2026-03-09" } })
    expect(texts(message.blocks[1])).toEqual([
      "*22 paid orders · 54.5% with a usable click id · 81.8% delivered to all their targets*"
    ])
    expect(texts(message.blocks[2])).toEqual([
      ":dart: *Campaigns losing the most click ids*\n" +
        "_no campaign_ (acme / no partner): 3 orders\n" +
        "`publisher-7` (beta / awin): 3 orders\n" +
        "`spring-sale` (acme / google): 2 orders\n" +
        "_no campaign_ (acme / google): 1 order\n" +
        "_no campaign_ (beta / awin): 1 order"
    ])
    expect(texts(message.blocks[3])).toEqual([
      "*acme*\n" +
        "• *google*: 10 paid · *70%* with a click id (7) · 90% delivered\n" +
        "      missing click ids mostly from `spring-sale` (2), _no campaign_ (1)\n" +
        "• *meta*: 4 paid · *100%* with a click id (4) · 100% delivered\n" +
        "• *no partner recognised*: 3 paid · *0%* with a click id (0) · 100% delivered\n" +
        "      missing click ids mostly from _no campaign_ (3)"
    ])
    expect(texts(message.blocks[4])).toEqual([
      "*beta*\n" +
        "• *awin*: 5 paid · *20%* with a click id (1) · 40% delivered\n" +
        "      missing click ids mostly from `publisher-7` (3), _no campaign_ (1)"
    ])
  })

  it("rounds down, so 100% means every order", () => {
    const almost = [
      ...rows(999, { company: "a", partner: "p" }, true, true),
      ...rows(1, { company: "a", partner: "p" }, false, false)
    ]
    expect(coverageMessage(coverageFrom(almost), "d").text).toBe(
      "Tracking coverage d: 1,000 paid orders · 99.9% with a usable click id · 99.9% delivered to all their targets"
    )
  })

  it("an empty day says so", () => {
    const empty = coverageMessage(coverageFrom([]), "2026-03-09")
    expect(empty.text).toBe(
      "Tracking coverage 2026-03-09: 0 paid orders · – with a usable click id · – delivered to all their targets"
    )
    expect(texts(empty.blocks[2])).toEqual(["No paid orders in this period."])
  })

  it("escapes company, partner and campaign names", () => {
    const hostile = coverageMessage(
      coverageFrom(rows(1, { company: "a&b", partner: "<p>", campaign: "<!here>" }, false, true)),
      "d"
    )
    const all = hostile.blocks.flatMap(texts).join("\n")
    expect(all).toContain("`&lt;!here&gt;`")
    expect(all).toContain("*a&amp;b*")
    expect(all).not.toMatch(/<!here>|<p>/)
  })

  it("stays within 50 blocks for many companies", () => {
    const big = Array.from({ length: 60 }, (_, i) =>
      rows(1, { company: `c${String(i).padStart(2, "0")}`, partner: "p" }, true, true)
    ).flat()
    const m = coverageMessage(coverageFrom(big), "d")
    expect(m.blocks.length).toBeLessThanOrEqual(50)
    expect(texts(m.blocks.at(-2))).toEqual(["…and 40 more companies"])
  })

  it("round-trips through the recorded alert", () => {
    const report = coverageFrom(day)
    const alert = coverageDigestAlert(report, "2026-03-09")
    expect(alert).toMatchObject({ alertId: "coverage_digest:2026-03-09", problem: "coverage_digest" })
    expect(messageFor(JSON.parse(JSON.stringify(alert)))).toEqual(message)
  })
})

describe("coverage rows from orders", () => {
  const order = (partner: string | undefined, tracking: Partial<CanonicalOrder["tracking"]>) =>
    makeOrder({ utm: { campaign: "spring-sale" }, ...tracking }, partner === undefined ? {} : { partner })

  it.each([
    ["google with a gbraid", "google", { gbraid: "0AAA" }, true],
    ["google with only an fbclid", "google", { fbclid: "IwAR" }, false],
    ["meta with the fbc cookie", "meta", { fbc: "fb.1.1.IwAR" }, true],
    ["meta with only fbp", "meta", { fbp: "fb.1.1.2" }, false],
    ["awin with its awc", "awin", { clickIds: { awc: "1_2_3" } }, true],
    ["awin with impact's id", "awin", { clickIds: { irclickid: "x" } }, false],
    ["no partner", undefined, { gclid: "Cj0" }, false]
  ] as const)("%s -> %s", (_, partner, tracking, expected) => {
    expect(hasUsableClickId(order(partner, tracking), partners)).toBe(expected)
  })

  it("without partner rules, Google's and Meta's ids are still known", () => {
    expect(hasUsableClickId(order("google", { wbraid: "x" }), [])).toBe(true)
    expect(hasUsableClickId(order("awin", { clickIds: { awc: "x" } }), [])).toBe(false)
  })

  it("builds the row coverageFrom takes", () => {
    expect(coverageRowOf(order("google", { gclid: "Cj0" }), false, partners)).toEqual({
      company: "acme",
      partner: "google",
      campaign: "spring-sale",
      hasClickId: true,
      delivered: false
    })
  })

  it("never names an email as a campaign", () => {
    const report = coverageFrom(rows(1, { company: "a", partner: "p", campaign: `hi ${CUSTOMER_EMAIL}` }, false, true))
    expect(report.worstCampaigns[0]?.campaign).toBe("hi [email]")
  })
})
