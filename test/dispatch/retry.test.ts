import { describe, expect, it } from "vitest"
import { decideRetry, policyFor, type RetryPolicy } from "../../src/dispatch/retry.js"

const policy: RetryPolicy = { horizonMs: 24 * 3_600_000, maxAttempts: 5, initialDelayMs: 60_000, maxDelayMs: 3_600_000 }
const t0 = new Date("2026-11-20T10:00:00Z")
const at = (ms: number) => new Date(t0.getTime() + ms)
const retryable = { retryable: true, reason: "ServerError" as const }

describe("decideRetry", () => {
  it.each([
    // attempt, random, expected delay
    [1, 0.5, 60_000],
    [2, 0.5, 120_000],
    [3, 0.5, 240_000],
    [1, 0, 48_000],
    [1, 0.75, 66_000]
  ])("attempt %i with jitter %f waits %i ms", (attempt, random, delay) => {
    const d = decideRetry(retryable, policy, attempt, t0, t0, random)
    expect(d._tag).toBe("Retry")
    expect(d._tag === "Retry" && Math.round(d.at.getTime() - t0.getTime())).toBe(delay)
  })

  it("caps the delay at maxDelay", () => {
    const d = decideRetry(retryable, { ...policy, maxAttempts: 50 }, 20, t0, t0, 0.5)
    expect(d._tag === "Retry" && d.at.getTime() - t0.getTime()).toBe(3_600_000)
  })

  it("honours Retry-After when it asks for longer than the backoff", () => {
    const d = decideRetry({ ...retryable, reason: "RateLimited", retryAfterMs: 900_000 }, policy, 1, t0, t0, 0.5)
    expect(d).toEqual({ _tag: "Retry", at: at(900_000) })
  })

  it("waits for retryAt (Google TOO_RECENT_EVENT) even past the normal backoff", () => {
    const d = decideRetry({ ...retryable, reason: "TooRecent", retryAt: at(6 * 3_600_000) }, policy, 1, t0, t0, 0.5)
    expect(d).toEqual({ _tag: "Retry", at: at(6 * 3_600_000) })
  })

  it("stops at once on permanent errors", () => {
    expect(decideRetry({ retryable: false, reason: "Rejected" }, policy, 1, t0, t0, 0.5)).toEqual({ _tag: "Stop" })
  })

  it("dead-letters an expired event at once", () => {
    expect(decideRetry({ retryable: false, reason: "Expired" }, policy, 1, t0, t0, 0.5)._tag).toBe("DeadLetter")
  })

  it("dead-letters when the attempt budget is spent", () => {
    expect(decideRetry(retryable, policy, 5, t0, t0, 0.5)).toEqual({
      _tag: "DeadLetter",
      reason: "gave up after 5 attempts"
    })
  })

  it("dead-letters when the next attempt would fall after the horizon", () => {
    const d = decideRetry(retryable, policy, 2, t0, at(23.99 * 3_600_000), 0.5)
    expect(d._tag).toBe("DeadLetter")
  })

  it("reads per-target overrides", () => {
    expect(
      policyFor({
        id: "p",
        channel: "postback",
        method: "GET",
        url: "https://x.test/",
        enabled: true,
        retry: { horizon: "2h", maxAttempts: 3, initialDelay: "5s", maxDelay: "1m" }
      })
    ).toEqual({ horizonMs: 7_200_000, maxAttempts: 3, initialDelayMs: 5000, maxDelayMs: 60_000 })
  })
})
