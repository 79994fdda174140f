import { describe, expect, it } from "vitest"
import { DELIVERY_ATTEMPTS, MAX_DELAY_MS, nextDelivery } from "../../src/alerts/deliveryPolicy.js"
import { deliveryStatus } from "../../src/alerts/records.js"
import { AlertRaised } from "../../src/events/alerts.js"

const MINUTE = 60_000

describe("nextDelivery: when to post an alert again", () => {
  it("backs off 1, 3, 9, 27 minutes ... capped at 12 hours, over about a day in all", () => {
    const delays = Array.from({ length: DELIVERY_ATTEMPTS - 1 }, (_, i) => {
      const next = nextDelivery({ retryable: true }, i + 1)
      return next._tag === "Retry" ? next.delayMs : -1
    })
    expect(delays.slice(0, 4)).toEqual([MINUTE, 3 * MINUTE, 9 * MINUTE, 27 * MINUTE])
    expect(Math.max(...delays)).toBe(MAX_DELAY_MS)
    const total = delays.reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThan(12 * 60 * MINUTE)
    expect(total).toBeLessThan(26 * 60 * MINUTE)
  })

  it("waits at least as long as Slack's Retry-After", () => {
    expect(nextDelivery({ retryable: true, retryAfterMs: 5 * MINUTE }, 1)).toEqual({
      _tag: "Retry",
      delayMs: 5 * MINUTE
    })
    expect(nextDelivery({ retryable: true, retryAfterMs: 1000 }, 1)).toEqual({ _tag: "Retry", delayMs: MINUTE })
  })

  it("gives up at once on a permanent error, and after the last attempt", () => {
    expect(nextDelivery({ retryable: false }, 1)).toEqual({ _tag: "GiveUp", reason: "permanent" })
    expect(nextDelivery({ retryable: true }, DELIVERY_ATTEMPTS)).toEqual({ _tag: "GiveUp", reason: "budget" })
  })
})

describe("deliveryStatus: where an alert stream stands", () => {
  const raised = AlertRaised.make({
    alertId: "a1",
    problem: "dead_letter",
    groupKey: "acme|awin|*|dead_letter|awin:ServerError",
    summary: "gave up",
    details: {}
  })
  const failure = (retryable: boolean, attempt: number) =>
    ({ _tag: "AlertDeliveryFailed", alertId: "a1", attempt, error: "Slack: ServerError", retryable }) as const

  it("is open while posts fail retryably, and counts the failures", () => {
    expect(deliveryStatus([raised, failure(true, 1), failure(true, 2)])).toEqual({
      raised,
      settled: false,
      failures: 2
    })
  })

  it("is settled once sent, suppressed or given up", () => {
    expect(deliveryStatus([raised, { _tag: "AlertSent", alertId: "a1", channel: "C1", occurrences: 1 }]).settled).toBe(
      true
    )
    expect(deliveryStatus([raised, { _tag: "AlertSuppressed", alertId: "a1", reason: "grouped" }]).settled).toBe(true)
    expect(deliveryStatus([raised, failure(true, 1), failure(false, 2)]).settled).toBe(true)
  })
})
