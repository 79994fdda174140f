// Given/when/then for the order stream's one fold: the order and its dispatches from the same events,
// read the same way by the normalization job, the dispatcher and the operations.
import { describe, expect, it } from "vitest"
import { dispatchKey, evolveDispatch } from "../../src/conversion/dispatch.js"
import { foldOrder } from "../../src/conversion/order.js"
import { foldConversion, initialConversionState, type StreamEvent } from "../../src/conversion/stream.js"
import type { AppEvent } from "../../src/events/Events.js"
import { run, shopify } from "../normalize/decider/support.js"

const KEY = "shop-de:1042"
const at = (second: number) => new Date(Date.UTC(2024, 10, 30, 8, 0, second))
const recorded = (events: ReadonlyArray<AppEvent>, from = 0): Array<StreamEvent> =>
  events.map((event, i) => ({ event, recordedAt: at(from + i) }))

const planned: AppEvent = {
  _tag: "DispatchPlanned",
  orderKey: KEY,
  targets: [
    { targetId: "google", channel: "google-ads", ruleId: "all", kind: "conversion" },
    { targetId: "awin", channel: "postback", ruleId: "awin", kind: "conversion" }
  ],
  decisions: [],
  trigger: "paid"
}
const attempted: AppEvent = {
  _tag: "DispatchAttempted",
  orderKey: KEY,
  targetId: "google",
  kind: "conversion",
  attempt: 1,
  channel: "google-ads",
  exchanges: [],
  durationMs: 40,
  trigger: "scheduled"
}
const succeeded: AppEvent = {
  _tag: "DispatchSucceeded",
  orderKey: KEY,
  targetId: "google",
  kind: "conversion",
  attempt: 1,
  dedupKey: "gclid-1",
  alreadyRecorded: false
}

describe("foldConversion", () => {
  const normalized = run([shopify.created(), shopify.paid()]).events
  const stream = recorded([...normalized, planned, attempted, succeeded])

  it("given nothing, then the initial state", () => {
    expect(foldConversion([])).toBe(initialConversionState)
  })

  it("given a paid order with a planned, sent and a planned-only target, then both folds from the same events", () => {
    const { order, dispatch } = foldConversion(stream)
    expect(order.status).toBe("paid")
    expect(order.order?.orderKey).toBe(order.orderKey)
    expect(order).toEqual(foldOrder(stream.map((e) => e.event)))
    const sent = at(normalized.length + 2).toISOString()
    expect(dispatch.get(dispatchKey("google", "conversion"))).toMatchObject({
      status: "succeeded",
      attempts: 1,
      lastAttemptAt: at(normalized.length + 1).toISOString(),
      succeededAt: sent,
      dedupKey: "gclid-1"
    })
    expect(dispatch.get(dispatchKey("awin", "conversion"))).toMatchObject({ status: "planned", attempts: 0 })
  })

  it("given the state of a prefix, when the rest is folded on it, then the same state as one fold of the whole", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const prefix = foldConversion(stream.slice(0, cut))
      expect(foldConversion(stream.slice(cut), prefix)).toEqual(foldConversion(stream))
    }
  })

  it("the dispatch fold dates each event by when it was recorded", () => {
    const { dispatch } = foldConversion(stream)
    let expected = new Map() as ReturnType<typeof foldConversion>["dispatch"]
    for (const e of stream) expected = evolveDispatch(expected, e.event, e.recordedAt.toISOString())
    expect(dispatch).toEqual(expected)
  })
})
