// Given an order's stream and the current configuration, when an operator replans, then exactly the
// (order, target) conversions never planned, sent or imported for it are planned, with the decision
// recorded; anything with dispatch history is left alone, and orders that cannot be routed say why.
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { emptySnapshot } from "../../../src/config/state.js"
import { Rule, Target } from "../../../src/events/configSchema.js"
import type { AppEvent } from "../../../src/events/Events.js"
import { decideReplan } from "../../../src/operations/replan/decide.js"
import { makeOrder } from "../../dispatch/channels/support/orders.js"

const KEY = "shop-de:1001"
const order = makeOrder("DE", {
  orderKey: KEY,
  partner: "awin",
  tracking: { ...makeOrder().tracking, clickIds: { awc: "1001_1740000000_abc" } }
})
const postback = (id: string) =>
  Schema.decodeUnknownSync(Target)({ id, channel: "postback", url: `https://${id}.test/?o={order_id}` })
const rule = (id: string, target: string, partner = "awin") =>
  Schema.decodeUnknownSync(Rule)({ id, company: "*", product: "*", partner, target })
const config = (rules: ReadonlyArray<Rule>) => ({
  ...emptySnapshot,
  targets: new Map(["awin", "tradedoubler", "belboon"].map((id) => [id, postback(id)])),
  partners: [{ id: "awin", when: ["awc"] }],
  rules
})

const paid: ReadonlyArray<AppEvent> = [
  { _tag: "OrderNormalized", webhookId: "wh-1", order: { ...order, status: "pending" }, parserVersion: 1 },
  { _tag: "PaymentUpdated", webhookId: "wh-1", orderKey: KEY, from: "pending", to: "paid", paidAt: order.paidAt }
]
const plannedTo = (...targets: Array<string>): AppEvent => ({
  _tag: "DispatchPlanned",
  orderKey: KEY,
  targets: targets.map((targetId) => ({
    targetId,
    channel: "postback",
    ruleId: `${targetId}-rule`,
    kind: "conversion"
  })),
  decisions: [],
  trigger: "paid"
})
const stream = (events: ReadonlyArray<AppEvent>) => events.map((event) => ({ event, recordedAt: new Date() }))
const replan = (events: ReadonlyArray<AppEvent>, rules: ReadonlyArray<Rule>, target?: string) =>
  decideReplan({
    orderKey: KEY,
    events: stream(events),
    config: config(rules),
    target,
    reason: "fix",
    actor: "cli:ops"
  })

describe("replan", () => {
  it("plans the targets the current rules add, records the decisions, and enqueues their jobs", () => {
    const d = replan([...paid, plannedTo()], [rule("awin-all", "awin"), rule("td-all", "tradedoubler")])
    expect(d.items.map((i) => [i.targetId, i.action])).toEqual([
      ["awin", "would_plan"],
      ["tradedoubler", "would_plan"]
    ])
    expect(d.plan.events).toEqual([
      expect.objectContaining({
        _tag: "DispatchPlanned",
        trigger: "operator",
        reason: "fix",
        actor: "cli:ops",
        targets: [
          { targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" },
          { targetId: "tradedoubler", channel: "postback", ruleId: "td-all", kind: "conversion" }
        ],
        decisions: [expect.objectContaining({ ruleId: "awin-all", outcome: "matched" }), expect.anything()]
      })
    ])
    expect(d.plan.jobs.map((j) => j.jobKey)).toEqual([
      "dispatch:shop-de:1001:awin:conversion",
      "dispatch:shop-de:1001:tradedoubler:conversion"
    ])
  })

  it("leaves every pair with dispatch history alone, whatever its state, and keeps routes the rules dropped", () => {
    const deadLettered: AppEvent = {
      _tag: "DispatchDeadLettered",
      orderKey: KEY,
      targetId: "awin",
      kind: "conversion",
      attempts: 3,
      reason: "ServerError",
      message: "HTTP 500"
    }
    const d = replan([...paid, plannedTo("awin", "belboon"), deadLettered], [rule("awin-all", "awin")])
    expect(d.plan.events).toEqual([])
    expect(d.items).toEqual([expect.objectContaining({ targetId: "belboon", action: "no_longer_routed" })])
  })

  it("leaves a held pair and one whose attempt has no outcome yet (an open intent) alone", () => {
    const intent = (targetId: string, attempt: number): AppEvent => ({
      _tag: "DispatchAttemptStarted",
      orderKey: KEY,
      targetId,
      kind: "conversion",
      attempt,
      channel: "postback",
      runner: "run-1"
    })
    const held: AppEvent = {
      _tag: "DispatchHeld",
      orderKey: KEY,
      targetId: "awin",
      kind: "conversion",
      attempt: 1,
      channel: "postback",
      cause: "no_response",
      detail: "attempt 1 got no answer"
    }
    const rules = [rule("awin-all", "awin"), rule("td-all", "tradedoubler"), rule("bl-all", "belboon")]
    // awin held, tradedoubler being sent (or lost in a crash): only belboon is new.
    const d = replan(
      [...paid, plannedTo("awin", "tradedoubler"), intent("awin", 1), held, intent("tradedoubler", 1)],
      rules
    )
    expect(d.items.map((i) => [i.targetId, i.action])).toEqual([["belboon", "would_plan"]])
    expect(d.plan.jobs.map((j) => j.jobKey)).toEqual(["dispatch:shop-de:1001:belboon:conversion"])
    // Asked for the held target alone: nothing to plan.
    expect(replan([...paid, plannedTo("awin"), intent("awin", 1), held], rules, "awin")).toEqual({
      items: [],
      plan: { events: [], jobs: [] }
    })
  })

  it("plans only the target asked for", () => {
    const d = replan([...paid, plannedTo()], [rule("awin-all", "awin"), rule("td-all", "tradedoubler")], "tradedoubler")
    expect(d.plan.jobs.map((j) => j.jobKey)).toEqual(["dispatch:shop-de:1001:tradedoubler:conversion"])
  })

  it.each([
    [
      "not paid",
      [
        {
          _tag: "OrderNormalized",
          webhookId: "wh-1",
          order: { ...order, status: "pending", paidAt: undefined },
          parserVersion: 1
        }
      ],
      /^not paid \(pending\)/
    ],
    [
      "ignored",
      [...paid, { _tag: "OrderIgnored", webhookId: "wh-1", orderKey: KEY, reason: "test_order", detail: "tag test" }],
      /^ignored \(test_order\)/
    ],
    ["not normalized", [], /^not normalized/]
  ] as const)("skips an order that is %s, saying why", (_, events, reason) => {
    const d = replan(events as ReadonlyArray<AppEvent>, [rule("awin-all", "awin")])
    expect(d.plan.events).toEqual([])
    expect(d.items).toEqual([{ orderKey: KEY, action: "skipped", reason: expect.stringMatching(reason) }])
  })

  it("sends an order whose partner the rules now name differently to renormalize first", () => {
    const d = decideReplan({
      orderKey: KEY,
      events: stream([...paid, plannedTo()]),
      config: { ...config([rule("awin-all", "awin")]), partners: [{ id: "affiliate", when: ["awc"] }] },
      reason: "fix",
      actor: "cli:ops"
    })
    expect(d.items[0]!.reason).toMatch(/^the partner rules now make it affiliate \(recorded: awin\); re-normalize/)
    expect(d.plan.events).toEqual([])
  })
})
