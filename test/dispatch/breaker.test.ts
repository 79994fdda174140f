import { describe, expect, it } from "vitest"
import { admit, type BreakerState, closed, onFailure, onSuccess } from "../../src/dispatch/breaker.js"

const settings = { failures: 3, cooldownMs: 60_000 }

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
    expect(admit(s, 1000)).toEqual({ until: 61_000 })
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

  it("lets one trial through after the cooldown; a failed trial reopens without a new alert, a success closes", () => {
    let s: BreakerState = { _tag: "Open", until: 60_000, consecutive: 3, lastReason: "Timeout" }
    expect(admit(s, 59_999)).toEqual({ until: 60_000 })
    expect(admit(s, 60_000)).toBe("trial")
    const failed = onFailure(s, "Timeout", settings, 60_000)
    expect(failed.transition).toBe("reopened")
    s = failed.state
    expect(admit(s, 60_001)).toEqual({ until: 120_000 })
    const ok = onSuccess(s)
    expect(ok).toEqual({ state: closed, transition: "closed" })
  })
})
