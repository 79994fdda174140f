import { describe, expect, it } from "vitest"
import {
  type Admission,
  admit,
  type BreakerState,
  closed,
  onFailure,
  onInconclusive,
  onSuccess,
  seedFrom
} from "../../src/dispatch/breaker.js"

const settings = { failures: 3, cooldownMs: 60_000, trialTimeoutMs: 120_000 }
const open: BreakerState = { _tag: "Open", until: 60_000, consecutive: 3, lastReason: "Timeout" }

/** Admits `callers` dispatches one after the other at `now`, threading the state as Breakers does. */
const admitAll = (state: BreakerState, now: number, callers: number) => {
  const admissions: Array<Admission> = []
  let s = state
  for (let i = 0; i < callers; i++) {
    const r = admit(s, now, settings)
    admissions.push(r.admission)
    s = r.state
  }
  return { admissions, state: s }
}

describe("circuit breaker", () => {
  it("opens after N consecutive target-level failures, once", () => {
    let s: BreakerState = closed
    const transitions = []
    for (let i = 0; i < 3; i++) {
      const r = onFailure(s, "Unauthorized", settings, 1000)
      s = r.state
      transitions.push(r.transition)
    }
    expect(transitions).toEqual([undefined, undefined, "opened"])
    expect(admit(s, 1000, settings).admission).toEqual({ until: 61_000 })
  })

  it("ignores order-level rejections and resets on success", () => {
    let s: BreakerState = closed
    s = onFailure(s, "ServerError", settings, 0).state
    s = onFailure(s, "Rejected", settings, 0).state
    s = onFailure(s, "InvalidPayload", settings, 0).state
    expect(s).toEqual({ _tag: "Closed", consecutive: 1 })
    s = onSuccess(s).state
    expect(s).toEqual(closed)
  })

  it("pauses everyone before the cooldown ends", () => {
    expect(admitAll(open, 59_999, 5).admissions).toEqual(Array(5).fill({ until: 60_000 }))
  })

  it("hands the trial to exactly one of many dispatches after the cooldown; the others re-check soon", () => {
    const { admissions, state } = admitAll(open, 60_000, 16)
    expect(admissions.filter((a) => a === "trial")).toHaveLength(1)
    expect(admissions[0]).toBe("trial")
    // While the trial is in flight the others look again in 30 s (never later than the trial's expiry).
    expect(admissions.slice(1)).toEqual(Array(15).fill({ until: 90_000 }))
    expect(state).toEqual({
      _tag: "HalfOpen",
      trialInFlight: true,
      trialSince: 60_000,
      consecutive: 3,
      lastReason: "Timeout"
    })
  })

  it.each([
    // given, event, then: the next admission of a waiting dispatch, the transition
    ["a successful trial closes", "success", "run", "closed"],
    ["a failed trial reopens for a cooldown, without a new alert", "Timeout", { until: 120_000 }, "reopened"],
    ["an Unauthorized trial reopens", "Unauthorized", { until: 120_000 }, "reopened"],
    ["an order-level rejection hands the trial to the next dispatch", "Rejected", "trial", undefined],
    ["a skip before any request hands the trial to the next dispatch", "inconclusive", "trial", undefined]
  ] as const)("%s", (_, event, next, transition) => {
    const half = admit(open, 60_000, settings).state
    const after =
      event === "success"
        ? onSuccess(half)
        : event === "inconclusive"
          ? { state: onInconclusive(half), transition: undefined }
          : onFailure(half, event, settings, 60_000)
    expect(after.transition).toBe(transition)
    expect(admit(after.state, 60_001, settings).admission).toEqual(next)
  })

  it("gives the trial to another dispatch when the first never reports (its job died)", () => {
    const half = admit(open, 60_000, settings).state
    expect(admit(half, 179_999, settings).admission).toEqual({ until: 180_000 })
    const again = admitAll(half, 180_000, 4)
    expect(again.admissions.filter((a) => a === "trial")).toHaveLength(1)
  })

  it("keeps a closed circuit running for everyone", () => {
    expect(admitAll(closed, 0, 3).admissions).toEqual(["run", "run", "run"])
  })

  it.each([
    ["no circuit events: closed", [], closed],
    [
      "opened, cooldown still running: open until then",
      [
        {
          _tag: "CircuitOpened",
          until: "1970-01-01T00:01:40.000Z",
          consecutiveFailures: 10,
          lastReason: "Unauthorized"
        }
      ],
      { _tag: "Open", until: 100_000, consecutive: 10, lastReason: "Unauthorized" }
    ],
    [
      "opened, cooldown over: closed",
      [{ _tag: "CircuitOpened", until: "1970-01-01T00:00:40.000Z", consecutiveFailures: 10, lastReason: "Timeout" }],
      closed
    ],
    [
      "opened then closed: closed",
      [
        { _tag: "CircuitOpened", until: "1970-01-01T00:01:40.000Z", consecutiveFailures: 10, lastReason: "Timeout" },
        { _tag: "CircuitClosed" }
      ],
      closed
    ]
  ] as const)("seeds a process's breaker from the target stream: %s", (_, events, expected) => {
    expect(seedFrom(events, 50_000)).toEqual(expected)
  })
})
