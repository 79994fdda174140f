// Given/when/then for attempts whose outcome is unknown: how the dispatch fold sees an intent without
// an outcome, a late outcome of a paused run, a hold and an operator's request after it; and what
// ambiguity.ts decides per destination (resend where it deduplicates, else onAmbiguous).

import { Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  type DispatchState,
  dispatchKey,
  emptyDispatchState,
  evolveDispatch,
  sendDecision
} from "../../src/conversion/dispatch.js"
import { onUnknownOutcome } from "../../src/dispatch/ambiguity.js"
import { ChannelError } from "../../src/dispatch/Channel.js"
import { attemptRecord } from "../../src/dispatch/outcome.js"
import type { Target } from "../../src/events/configSchema.js"
import type { AppEvent } from "../../src/events/Events.js"

const ref = { orderKey: "shop-de:1001", targetId: "awin", kind: "conversion" as const }
const planned: AppEvent = {
  _tag: "DispatchPlanned",
  orderKey: ref.orderKey,
  targets: [{ targetId: "awin", channel: "postback", ruleId: "r", kind: "conversion" }],
  decisions: [],
  trigger: "paid"
}
const started = (attempt: number, runner = "run-a"): AppEvent => ({
  _tag: "DispatchAttemptStarted",
  ...ref,
  attempt,
  channel: "postback",
  runner
})
const attempted = (attempt: number): AppEvent => ({
  _tag: "DispatchAttempted",
  ...ref,
  attempt,
  channel: "postback",
  exchanges: [],
  durationMs: 5,
  trigger: "scheduled"
})
const succeeded = (attempt: number): AppEvent => ({
  _tag: "DispatchSucceeded",
  ...ref,
  attempt,
  dedupKey: ref.orderKey,
  alreadyRecorded: false
})
const failedUnknown = (attempt: number): AppEvent => ({
  _tag: "DispatchFailed",
  ...ref,
  attempt,
  reason: "Timeout",
  retryable: true,
  message: "no response within 1000 ms",
  nextAttemptAt: "2026-11-20T10:01:00.000Z",
  outcomeUnknown: true
})
const held = (attempt: number): AppEvent => ({
  _tag: "DispatchHeld",
  ...ref,
  attempt,
  channel: "postback",
  cause: "outcome_lost",
  detail: "unknown"
})
const requested: AppEvent = { _tag: "DispatchRequested", ...ref, reason: "checked", actor: "cli:alice", force: false }

const given = (...events: ReadonlyArray<AppEvent>): DispatchState =>
  events.reduce((s, e) => evolveDispatch(s, e, "2026-11-20T10:00:00.000Z"), emptyDispatchState)
const entry = (state: DispatchState) => state.get(dispatchKey("awin", "conversion"))!
const now = new Date("2026-11-20T10:05:00.000Z")

describe("intents in the dispatch fold", () => {
  it("an intent with its outcome is a normal attempt: nothing in flight, the next attempt is a new number", () => {
    const e = entry(given(planned, started(1), attempted(1), failedUnknown(1)))
    expect(e.inFlight).toBeUndefined()
    expect(e.attempts).toBe(1)
    expect(e.status).toBe("retrying")
    // The retry resends an attempt whose outcome is unknown.
    expect(e.unknownAttempt).toBe(1)
  })

  it("an intent without an outcome is ambiguous for the next run, and takes its attempt number", () => {
    const e = entry(given(planned, started(1)))
    expect(e.inFlight).toEqual({ attempt: 1, runner: "run-a", at: "2026-11-20T10:00:00.000Z" })
    expect(e.attempts).toBe(1)
    expect(sendDecision(e, now)).toEqual({ _tag: "Ambiguous", attempt: 1, since: "2026-11-20T10:00:00.000Z" })
  })

  it("a paused run's late outcome of attempt 1 leaves the newer intent 2 in flight", () => {
    const e = entry(given(planned, started(1), started(2, "run-b"), attempted(1)))
    expect(e.inFlight?.attempt).toBe(2)
    expect(sendDecision(e, now)._tag).toBe("Ambiguous")
  })

  it("a late success settles it whatever is in flight: nothing more is sent", () => {
    const e = entry(given(planned, started(1), held(1), attempted(1), succeeded(1)))
    expect(e.status).toBe("succeeded")
    expect(sendDecision(e, now)._tag).toBe("Nothing")
  })

  it("a held dispatch sends nothing until an operator requests it, and that send resends attempt 1", () => {
    const h = given(planned, started(1), held(1))
    expect(entry(h)).toMatchObject({ status: "held", lastReason: "outcome_lost", unknownAttempt: 1 })
    expect(entry(h).inFlight).toBeUndefined()
    expect(sendDecision(entry(h), now)._tag).toBe("Nothing")
    const r = entry(evolveDispatch(h, requested, "2026-11-20T11:00:00.000Z"))
    expect(r.status).toBe("planned")
    expect(sendDecision(r, now)._tag).toBe("Send")
    expect(r.unknownAttempt).toBe(1)
  })
})

const postback = (onAmbiguous?: "resend" | "hold"): Target =>
  ({
    id: "awin",
    channel: "postback",
    enabled: true,
    method: "GET",
    url: "https://partner.test/p?ref={order_id}",
    ...(onAmbiguous === undefined ? {} : { onAmbiguous })
  }) as Target
const meta = {
  id: "meta",
  channel: "meta-capi",
  enabled: true,
  pixelId: "1",
  accessToken: "env:T"
} as unknown as Target
const HOUR = 3_600_000

describe("onUnknownOutcome", () => {
  it("resends to a destination that deduplicates, within its window", () => {
    const sentAt = new Date(now.getTime() - 47 * HOUR)
    expect(onUnknownOutcome(meta, { deduplicates: { withinMs: 48 * HOUR } }, sentAt, now)).toEqual({
      _tag: "Resend",
      because: "deduplicated"
    })
  })

  it("holds past the window: Meta would count an event_id it no longer remembers", () => {
    const sentAt = new Date(now.getTime() - 49 * HOUR)
    const verdict = onUnknownOutcome(meta, { deduplicates: { withinMs: 48 * HOUR } }, sentAt, now)
    expect(verdict._tag).toBe("Hold")
    expect(verdict._tag === "Hold" && verdict.because).toContain("48 h")
  })

  it("holds a postback by default, resends it only when the target says onAmbiguous: resend", () => {
    expect(onUnknownOutcome(postback(), {}, now, now)._tag).toBe("Hold")
    expect(onUnknownOutcome(postback("hold"), {}, now, now)._tag).toBe("Hold")
    expect(onUnknownOutcome(postback("resend"), {}, now, now)).toEqual({ _tag: "Resend", because: "configured" })
  })
})

describe("an attempt's record when its outcome is unknown", () => {
  const ctx = {
    ...ref,
    channel: "postback",
    attempt: 2,
    durationMs: 1000,
    trigger: "retry" as const,
    resendOf: 1
  }
  const timeout = (outcomeUnknown: boolean) =>
    Either.left(
      new ChannelError({
        channel: "postback",
        reason: "Timeout",
        retryable: true,
        detail: "no response within 1000 ms",
        outcomeUnknown,
        exchanges: []
      })
    )
  const retry = () => ({ _tag: "Retry" as const, at: new Date(now.getTime() + 60_000) })

  it("is held, not retried, when the destination cannot take a resend", () => {
    const r = attemptRecord({ ...ctx, holdUnknown: "postbacks carry no deduplication key" }, timeout(true), retry)
    expect(r.outcome).toBe("held")
    expect(r.retryAt).toBeUndefined()
    expect(r.events.map((e) => e._tag)).toEqual(["DispatchAttempted", "DispatchHeld"])
    expect(r.events[0]).toMatchObject({ resendOf: 1 })
    expect(r.events[1]).toMatchObject({ attempt: 2, cause: "no_response" })
  })

  it("is retried and marked when a resend is fine, and a failure known not to be sent is simply retried", () => {
    const unknown = attemptRecord(ctx, timeout(true), retry)
    expect(unknown.outcome).toBe("retrying")
    expect(unknown.events[1]).toMatchObject({ _tag: "DispatchFailed", outcomeUnknown: true })
    const refused = attemptRecord({ ...ctx, holdUnknown: "no dedup" }, timeout(false), retry)
    expect(refused.outcome).toBe("retrying")
    expect(refused.events[1]).not.toHaveProperty("outcomeUnknown")
  })
})
