import { describe, expect, it } from "vitest"
import { makeRateLimitedLog } from "../../src/lib/rateLimitedLog.js"

const setup = (maxKeys?: number) => {
  let clock = 1_000_000
  const lines: Array<string> = []
  const warn = makeRateLimitedLog(
    10_000,
    (m) => lines.push(m),
    () => clock,
    maxKeys
  )
  return { warn, lines, advance: (ms: number) => (clock += ms) }
}

describe("makeRateLimitedLog", () => {
  it("logs the first refusal of a key, suppresses the rest of the window, then reports the count", () => {
    const { warn, lines, advance } = setup()
    warn("source a: refused (invalid_signature)", "a")
    advance(1_000)
    warn("source a: refused (invalid_signature)", "a")
    advance(8_999)
    warn("source a: refused (stale_timestamp)", "a")
    expect(lines).toEqual(["source a: refused (invalid_signature)"])
    advance(1)
    warn("source a: refused (missing_token)", "a")
    expect(lines).toEqual([
      "source a: refused (invalid_signature)",
      "source a: refused (missing_token) (+2 similar in the last 10 s)"
    ])
  })

  it("starts a fresh window without a count when nothing was suppressed", () => {
    const { warn, lines, advance } = setup()
    warn("x", "a")
    advance(10_000)
    warn("y", "a")
    expect(lines).toEqual(["x", "y"])
  })

  it("limits each key on its own", () => {
    const { warn, lines, advance } = setup()
    warn("a1", "a")
    warn("b1", "b")
    advance(5_000)
    warn("a2", "a")
    warn("b2", "b")
    expect(lines).toEqual(["a1", "b1"])
  })

  it("forgets keys past its bound instead of growing without limit", () => {
    const { warn, lines } = setup(2)
    warn("a1", "a")
    warn("b1", "b")
    warn("c1", "c")
    warn("a2", "a")
    expect(lines).toEqual(["a1", "b1", "c1", "a2"])
  })
})
