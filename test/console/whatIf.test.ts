import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/load.js"
import { type RecentOrder, whatIf } from "../../src/console/rules/whatIf.js"
import type { ConfigFile } from "../../src/events/configSchema.js"

const parse = (yaml: string): ConfigFile => {
  const parsed = parseConfig(yaml, "s2s.yaml")
  if (Either.isLeft(parsed)) throw parsed.left
  return parsed.right
}

const base = (
  rules: string,
  partners = "  - { id: awin, when: [awc] }\n  - { id: google, when: [gclid] }",
  company = "acme"
) => `
sources:
  - { id: shop-de, kind: shopify, company: ${company}, secret: env:S }
products:
  - { match: { sku: "VIT-*" }, product: vitamins }
partners:
${partners}
targets:
  - { id: awin, channel: postback, url: "https://p.test/?ref={order_id}" }
  - { id: meta, channel: meta-capi, pixelId: "1", accessToken: env:T }
rules:
${rules}
`

const order = (key: string, tracking: Partial<RecentOrder["tracking"]>, sku = "VIT-D3"): RecentOrder => ({
  order_key: key,
  placed_at: new Date("2026-11-25T10:00:00Z"),
  source_id: "shop-de",
  company: "acme",
  currency: "EUR",
  tracking: { clickIds: {}, utm: {}, ...tracking },
  line_items: [{ sku, quantity: 1, priceMinor: 100 }]
})

const orders = [
  order("shop-de:1", { clickIds: { awc: "A1" } }),
  order("shop-de:2", { gclid: "G2" }),
  order("shop-de:3", { clickIds: { awc: "A3" } }, "SAMPLE-1")
]

const current = parse(
  base(`  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: meta-all, company: "*", product: "*", partner: "*", target: meta }`)
)
const meta = { since: new Date("2026-11-18T10:00:00Z"), truncated: false }

describe("what-if", () => {
  it("reports nothing for the same configuration", () => {
    expect(whatIf(current, current, orders, meta)).toMatchObject({ examined: 3, changed: 0, changes: [], byTarget: [] })
  })

  it("names the orders a new rule set routes elsewhere, per target, with the rule changes", () => {
    const next = parse(
      base(`  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: no-samples, company: "*", product: "SAMPLE-*", partner: "*", exclude: true }
  - { id: meta-all, company: "*", product: "vitamins", partner: "*", target: meta }`)
    )
    const report = whatIf(current, next, orders, meta)
    expect(report.rules).toEqual({ added: ["no-samples"], removed: [], changed: ["meta-all"] })
    expect(report.changes.map((c) => [c.orderKey, c.before, c.after])).toEqual([["shop-de:3", ["awin", "meta"], []]])
    expect(report.byTarget).toEqual([
      { targetId: "awin", gained: 0, lost: 1 },
      { targetId: "meta", gained: 0, lost: 1 }
    ])
  })

  it("re-reads partners from the orders' tracking with the file's partner rules", () => {
    const next = parse(
      base(
        `  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }`,
        "  - { id: awin, when: [awc, gclid] }"
      )
    )
    const report = whatIf({ ...current, rules: [current.rules[0]!] }, next, orders, meta)
    expect(report.changes.map((c) => [c.orderKey, c.partner, c.before, c.after])).toEqual([
      ["shop-de:2", "awin", [], ["awin"]]
    ])
  })

  it("places orders with the file's company map by their line items", () => {
    const next = parse(
      base(
        `  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: meta-vit, company: acme-vit, product: "*", partner: "*", target: meta }`,
        undefined,
        '{ "VIT-*": acme-vit, "*": acme }'
      )
    )
    const report = whatIf(current, next, orders, meta)
    // Orders 1 and 2 hold vitamins (now acme-vit, still meta); order 3's sample falls to the "*" default.
    expect(report.changes.map((c) => [c.orderKey, c.company, c.before, c.after])).toEqual([
      ["shop-de:3", "acme", ["awin", "meta"], ["awin"]]
    ])
    expect(report.changes).toHaveLength(1)
  })
})
