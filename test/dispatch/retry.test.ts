import { describe, expect, it } from "vitest"
import { DEFAULT_POLICIES, decideRetry, policyFor, type RetryPolicy, retryAnchor } from "../../src/dispatch/retry.js"

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
    expect(decideRetry({ retryable: false, reason: "Expired" }, policy, 1, t0, t0, 0.5)).toMatchObject({
      _tag: "DeadLetter",
      cause: "window"
    })
  })

  it("dead-letters when the attempt budget is spent", () => {
    expect(decideRetry(retryable, policy, 5, t0, t0, 0.5)).toEqual({
      _tag: "DeadLetter",
      reason: "all 5 attempts the retry policy allows failed",
      cause: "attempts"
    })
  })

  it("dead-letters when the next attempt would fall after the horizon", () => {
    const d = decideRetry(retryable, policy, 2, t0, at(23.99 * 3_600_000), 0.5)
    expect(d).toMatchObject({
      _tag: "DeadLetter",
      cause: "horizon",
      reason: expect.stringContaining("retry horizon (24 h)")
    })
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

  it("counts the horizon from the anchor, not from now", () => {
    const anchor = new Date(t0.getTime() - 23.99 * 3_600_000)
    expect(decideRetry(retryable, policy, 1, anchor, t0, 0.5)._tag).toBe("DeadLetter")
    expect(decideRetry(retryable, policy, 1, t0, t0, 0.5)._tag).toBe("Retry")
  })
})

describe("retryAnchor: where each channel's horizon starts", () => {
  const first = new Date("2026-11-25T08:00:00Z")
  const order = { placedAt: "2026-11-20T09:00:00Z", paidAt: "2026-11-20T09:05:00Z" }
  it.each([
    ["google-ads: the order's placement (the click came before it)", "google-ads", order, "2026-11-20T09:00:00.000Z"],
    ["meta-capi: the event time, paidAt", "meta-capi", order, "2026-11-20T09:05:00.000Z"],
    ["meta-capi: placedAt when unpaid", "meta-capi", { placedAt: order.placedAt }, "2026-11-20T09:00:00.000Z"],
    ["postback: the first attempt", "postback", order, "2026-11-25T08:00:00.000Z"],
    ["an unparsable time: the first attempt", "google-ads", { placedAt: "soon" }, "2026-11-25T08:00:00.000Z"]
  ] as const)("%s", (_, channel, o, expected) => {
    expect(retryAnchor(channel, o, first).toISOString()).toBe(expected)
  })

  it("dead-letters a Meta retry that would land past event time + 7 days, however recent the first attempt", () => {
    const anchor = retryAnchor("meta-capi", order, first)
    const now = new Date("2026-11-27T09:04:00Z") // a minute before event time + 7 days
    const d = decideRetry(retryable, DEFAULT_POLICIES["meta-capi"], 3, anchor, now, 0.5)
    expect(d._tag).toBe("DeadLetter")
  })

  it("keeps retrying a Google upload within 90 days of the order", () => {
    const anchor = retryAnchor("google-ads", order, first)
    const now = new Date("2027-02-10T09:00:00Z") // 82 days after
    expect(decideRetry(retryable, DEFAULT_POLICIES["google-ads"], 3, anchor, now, 0.5)._tag).toBe("Retry")
    const late = new Date("2027-02-18T08:58:00Z") // two minutes before 90 days
    expect(decideRetry(retryable, DEFAULT_POLICIES["google-ads"], 3, anchor, late, 0.5)._tag).toBe("DeadLetter")
  })
})
