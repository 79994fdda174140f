// Given orders with their conversions, when reported, then each figure counts what README says, per
// group, and an order grouped by target counts once under each of its targets with that dispatch only.
import { describe, expect, it } from "vitest"
import { type DispatchState, evolveDispatch } from "../../src/conversion/dispatch.js"
import type { AppEvent } from "../../src/events/Events.js"
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

  it("counts a dispatch the dispatcher held as held, and an attempt still without outcome as pending", () => {
    // The statuses as reports/query.ts reads them: the conversions view's dispatch fold.
    const ref = { orderKey: "shop-de:1", kind: "conversion" as const }
    const statusesAfter = (events: ReadonlyArray<AppEvent>) => {
      let state: DispatchState = new Map()
      for (const e of events) state = evolveDispatch(state, e, "2024-11-29T10:00:00.000Z")
      return [...state.values()].map((d) => ({ targetId: d.targetId, status: d.status }))
    }
    const started = (targetId: string, attempt: number): AppEvent => ({
      _tag: "DispatchAttemptStarted",
      ...ref,
      targetId,
      attempt,
      channel: "postback",
      runner: `run-${attempt}`
    })
    const held: ReadonlyArray<AppEvent> = [
      {
        _tag: "DispatchPlanned",
        orderKey: ref.orderKey,
        targets: ["awin", "crm"].map((targetId) => ({
          targetId,
          channel: "postback",
          ruleId: "r",
          kind: "conversion"
        })),
        decisions: [],
        trigger: "paid"
      },
      started("awin", 1),
      {
        _tag: "DispatchHeld",
        ...ref,
        targetId: "awin",
        attempt: 1,
        channel: "postback",
        cause: "no_response",
        detail: "no answer"
      },
      started("crm", 1)
    ]
    const figures = (events: ReadonlyArray<AppEvent>) => aggregate([order({ conversions: statusesAfter(events) })], [])
    expect(statusesAfter(held)).toEqual([
      { targetId: "awin", status: "held" },
      { targetId: "crm", status: "planned" }
    ])
    expect(figures(held).totals).toMatchObject({ eligible: 1, delivered: 0, acknowledged: 0, failed: 0, held: 1 })
    // The operator resolves the hold: sent again and delivered, it is held no more.
    const resolved: ReadonlyArray<AppEvent> = [
      ...held,
      {
        _tag: "DispatchRequested",
        ...ref,
        targetId: "awin",
        reason: "partner has none",
        actor: "cli:ops",
        force: false
      },
      started("awin", 2),
      { _tag: "DispatchSucceeded", ...ref, targetId: "awin", attempt: 2, dedupKey: "1", alreadyRecorded: false }
    ]
    expect(figures(resolved).totals).toMatchObject({ delivered: 1, acknowledged: 0, held: 0 })
  })
})
