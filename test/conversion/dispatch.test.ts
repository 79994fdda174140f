// Given/when/then for the dispatch fold and shouldSend, around operator requests: a success is final
// unless forced, and a forced request sends exactly once.
import { describe, expect, it } from "vitest"
import {
  type DispatchState,
  dispatchKey,
  emptyDispatchState,
  evolveDispatch,
  sendDecision,
  shouldSend
} from "../../src/conversion/dispatch.js"
import type { AppEvent } from "../../src/events/Events.js"

const ref = { orderKey: "shop-de:1001", targetId: "awin", kind: "conversion" as const }
const planned: AppEvent = {
  _tag: "DispatchPlanned",
  orderKey: ref.orderKey,
  targets: [{ targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }],
  decisions: [],
  trigger: "paid"
}
const attempted = (attempt: number): AppEvent => ({
  _tag: "DispatchAttempted",
  ...ref,
  attempt,
  channel: "postback",
  exchanges: [],
  durationMs: 12,
  trigger: "scheduled"
})
const succeeded = (attempt: number): AppEvent => ({
  _tag: "DispatchSucceeded",
  ...ref,
  attempt,
  dedupKey: ref.orderKey,
  alreadyRecorded: false
})
const failed = (attempt: number, retryable: boolean, nextAttemptAt?: string): AppEvent => ({
  _tag: "DispatchFailed",
  ...ref,
  attempt,
  reason: retryable ? "ServerError" : "Rejected",
  retryable,
  message: "HTTP 500",
  ...(nextAttemptAt ? { nextAttemptAt } : {})
})
const deadLettered: AppEvent = { _tag: "DispatchDeadLettered", ...ref, attempts: 1, reason: "gave up", message: "500" }
const requested = (force: boolean): AppEvent => ({
  _tag: "DispatchRequested",
  ...ref,
  reason: "partner outage",
  actor: "cli:alice",
  force
})

const given = (...events: ReadonlyArray<AppEvent>): DispatchState =>
  events.reduce((s, e) => evolveDispatch(s, e, "2026-11-20T10:00:00.000Z"), emptyDispatchState)
const entry = (state: DispatchState) => state.get(dispatchKey("awin", "conversion"))

describe("operator requests in the dispatch fold", () => {
  it.each<[string, ReadonlyArray<AppEvent>, boolean]>([
    ["a success is final", [planned, attempted(1), succeeded(1)], false],
    ["a request without force leaves a success final", [planned, attempted(1), succeeded(1), requested(false)], false],
    ["a forced request after success sends again", [planned, attempted(1), succeeded(1), requested(true)], true],
    [
      "the forced resend's success is final again",
      [planned, attempted(1), succeeded(1), requested(true), attempted(2), succeeded(2)],
      false
    ],
    [
      "two forced requests before the attempt still send once",
      [planned, attempted(1), succeeded(1), requested(true), requested(true), attempted(2), succeeded(2)],
      false
    ],
    ["a dead letter is not retried on its own", [planned, attempted(1), failed(1, true), deadLettered], false],
    [
      "a request re-plans a dead letter",
      [planned, attempted(1), failed(1, true), deadLettered, requested(false)],
      true
    ],
    ["a request re-plans a permanent failure", [planned, attempted(1), failed(1, false), requested(false)], true],
    [
      "a failed forced resend is retried like any dispatch",
      [planned, attempted(1), succeeded(1), requested(true), attempted(2), failed(2, true, "2026-11-20T11:00:00Z")],
      true
    ]
  ])("%s", (_, events, send) => {
    expect(shouldSend(entry(given(...events)))).toBe(send)
  })

  it("records no request on a success it does not change", () => {
    const state = given(planned, attempted(1), succeeded(1), requested(false))
    expect(entry(state)).toEqual(entry(given(planned, attempted(1), succeeded(1))))
  })

  it("keeps who asked and why on a forced request, and clears it with the next outcome", () => {
    const forced = entry(given(planned, attempted(1), succeeded(1), requested(true)))
    expect(forced).toMatchObject({
      status: "planned",
      attempts: 1,
      requested: { force: true, reason: "partner outage", actor: "cli:alice" }
    })
    expect(
      entry(given(planned, attempted(1), succeeded(1), requested(true), attempted(2), succeeded(2)))
    ).toMatchObject({
      status: "succeeded",
      attempts: 2,
      requested: undefined
    })
  })

  it("drops the pending retry time when an operator request runs the dispatch now", () => {
    const waiting = given(planned, attempted(1), failed(1, true, "2026-11-20T11:00:00Z"))
    expect(entry(waiting)?.nextAttemptAt).toBe("2026-11-20T11:00:00Z")
    expect(entry(evolveDispatch(waiting, requested(false), "2026-11-20T10:05:00.000Z"))?.nextAttemptAt).toBeUndefined()
  })

  it("gives a re-dispatched dead letter a fresh retry budget and horizon", () => {
    const dead = given(planned, attempted(1), failed(1, true, "2026-11-20T11:00:00Z"), attempted(2))
    const again = entry(evolveDispatch(dead, requested(false), "2026-11-21T09:00:00.000Z"))
    expect(again).toMatchObject({ status: "planned", attempts: 2, budgetFrom: 2, firstAttemptAt: undefined })
    const retried = entry(
      evolveDispatch(
        evolveDispatch(dead, requested(false), "2026-11-21T09:00:00.000Z"),
        attempted(3),
        "2026-11-21T09:00:01.000Z"
      )
    )
    expect(retried).toMatchObject({ attempts: 3, budgetFrom: 2, firstAttemptAt: "2026-11-21T09:00:01.000Z" })
  })
})

describe("a job that runs before its retry is due (duplicate, replay)", () => {
  const now = new Date("2026-11-20T10:30:00Z")
  const waiting = [planned, attempted(1), failed(1, true, "2026-11-20T11:00:00Z")]
  it.each<[string, ReadonlyArray<AppEvent>, ReturnType<typeof sendDecision>]>([
    ["waits for the backoff / Retry-After time", waiting, { _tag: "NotYet", at: new Date("2026-11-20T11:00:00Z") }],
    [
      "sends once the time has come",
      [planned, attempted(1), failed(1, true, "2026-11-20T10:30:00.500Z")],
      { _tag: "Send" }
    ],
    ["sends at once after a newer operator request", [...waiting, requested(false)], { _tag: "Send" }],
    ["sends a planned dispatch at once", [planned], { _tag: "Send" }],
    ["does nothing after a success", [...waiting, attempted(2), succeeded(2)], { _tag: "Nothing" }]
  ])("%s", (_, events, decision) => {
    expect(sendDecision(entry(given(...events)), now)).toEqual(decision)
  })
})
