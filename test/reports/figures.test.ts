// Given orders with their conversions, when reported, then each figure counts what README says, per
// group, and an order grouped by target counts once under each of its targets with that dispatch only.
import { describe, expect, it } from "vitest"
import { aggregate, type ReportOrder, shareText } from "../../src/reports/figures.js"

const order = (over: Partial<ReportOrder>): ReportOrder => ({
  company: "acme",
  market: "DE",
  partner: "awin",
  paid: true,
  eligible: true,
  conversions: [],
  ...over
})

const orders: ReadonlyArray<ReportOrder> = [
  order({
    conversions: [
      { targetId: "awin", status: "succeeded" },
      { targetId: "meta", status: "succeeded" }
    ]
  }),
  order({
    conversions: [
      { targetId: "awin", status: "dead_lettered" },
      { targetId: "meta", status: "succeeded" }
    ]
  }),
  order({ partner: "google", conversions: [{ targetId: "google", status: "held" }] }),
  order({ partner: null, market: "AT" }),
  order({ paid: false, eligible: false }),
  order({ eligible: false, conversions: [] })
]

describe("outcome figures", () => {
  it("counts orders, paid, eligible, delivered, acknowledged, failed, held and the delivery share", () => {
    expect(aggregate(orders, []).totals).toEqual({
      orders: 6,
      paid: 5,
      eligible: 4,
      delivered: 2,
      acknowledged: 1,
      failed: 1,
      held: 1,
      deliveryShare: 0.5
    })
  })

  it("groups by any dimensions, sorted, naming a missing value '-'", () => {
    const { rows } = aggregate(orders, ["partner", "market"])
    expect(rows.map((r) => [r.group.partner, r.group.market, r.orders, r.delivered])).toEqual([
      ["-", "AT", 1, 0],
      ["awin", "DE", 4, 2],
      ["google", "DE", 1, 0]
    ])
  })

  it("counts an order under each target it went to, with that target's dispatch only", () => {
    const { rows } = aggregate(orders, ["target"])
    expect(rows.map((r) => [r.group.target, r.eligible, r.delivered, r.acknowledged, r.failed, r.held])).toEqual([
      ["-", 1, 0, 0, 0, 0],
      ["awin", 2, 1, 1, 1, 0],
      ["google", 1, 0, 0, 0, 1],
      ["meta", 2, 2, 2, 0, 0]
    ])
    expect(shareText(rows[1]!.deliveryShare)).toBe("50.0 %")
    expect(shareText(null)).toBe("-")
  })
})
