import { describe, expect, it } from "vitest"
import type { AlertInput } from "../../src/alerts/Alerting.js"
import { alertOutput, alertsFor } from "../../src/alerts/AlertingLive.js"
import { alertEventId, DELIVER_ALERT_TASK } from "../../src/alerts/records.js"
import { makeOrder, NOW, partners } from "./support/orders.js"

const ref = { orderKey: "shop-de:1001", targetId: "awin", kind: "conversion" } as const

const failed = (retryable: boolean, targetId = "awin") =>
  ({
    _tag: "DispatchFailed",
    ...ref,
    targetId,
    attempt: 3,
    reason: "Expired",
    retryable,
    message: "too old"
  }) as const

const deadLettered = (targetId = "awin") =>
  ({
    _tag: "DispatchDeadLettered",
    ...ref,
    targetId,
    attempts: 3,
    reason: "Expired",
    message: "past the destination's time window"
  }) as const

const googleWithoutGclid = makeOrder({ utm: { source: "google", medium: "cpc", campaign: "de_brand" } })

const problems = (input: Omit<AlertInput, "now">) => alertsFor({ ...input, now: NOW }, partners).map((a) => a.problem)

describe("alertsFor: what a stage's batch of events raises", () => {
  it("checks tracking only when the order just became eligible", () => {
    expect(problems({ events: [], order: googleWithoutGclid, becameEligible: true })).toEqual([
      "contradicting_tracking"
    ])
    expect(problems({ events: [], order: googleWithoutGclid, becameEligible: false })).toEqual([])
    expect(problems({ events: [], order: googleWithoutGclid })).toEqual([])
  })

  it("alerts a final rejection followed by its dead letter once, for the dead letter", () => {
    expect(problems({ events: [failed(false), deadLettered()] })).toEqual(["dead_letter"])
  })

  it("keeps a rejection whose dead letter is another target's, and ignores retryable failures", () => {
    expect(problems({ events: [failed(false, "tune"), deadLettered("awin")] })).toEqual([
      "dispatch_rejected",
      "dead_letter"
    ])
    expect(problems({ events: [failed(true)] })).toEqual([])
    expect(problems({ events: [failed(false)] })).toEqual(["dispatch_rejected"])
  })

  it("raises an alert id once per batch", () => {
    expect(problems({ events: [deadLettered(), deadLettered()] })).toEqual(["dead_letter"])
  })
})

describe("alertOutput: what the caller records", () => {
  const alerts = alertsFor({ events: [deadLettered()], order: makeOrder(), now: NOW }, partners)

  it("records each alert on its own fresh stream with a deterministic event id, and a keyed delivery job", () => {
    const output = alertOutput(alerts, true)
    const alertId = alerts[0]!.alertId
    expect(output.appends).toEqual([
      { streamId: `alert-${alertId}`, expectedVersion: "no_stream", events: alerts, eventIds: [alertEventId(alertId)] }
    ])
    expect(output.jobs).toMatchObject([
      { task: DELIVER_ALERT_TASK, payload: { alertId }, jobKey: `deliver-alert:${alertId}` }
    ])
    expect(alerts[0]!.orderKey).toBe("shop-de:1001")
  })

  it("still records the alerts without Slack, with no job", () => {
    const output = alertOutput(alerts, false)
    expect(output.appends).toHaveLength(1)
    expect(output.jobs).toEqual([])
  })

  it("derives a valid UUID per alert id, the same every time", () => {
    const id = alertEventId("dead_letter:shop-de:1001:awin:conversion:3")
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(alertEventId("dead_letter:shop-de:1001:awin:conversion:3")).toBe(id)
    expect(alertEventId("dead_letter:shop-de:1001:awin:conversion:4")).not.toBe(id)
  })
})
