// Given the webhook's last normalization record, when the current parsers give this result, then is
// it a change worth recording?
import { describe, expect, it } from "vitest"
import type { AppEvent } from "../../../src/events/Events.js"
import type { NormalizeResult } from "../../../src/normalize/NormalizeJob.js"
import type { Observed } from "../../../src/normalize/outcome.js"
import { compareRun } from "../../../src/operations/renormalize/compare.js"

const failedRecord = (reason: string, path?: string): AppEvent => ({
  _tag: "NormalizationFailed",
  webhookId: "w1",
  sourceId: "shop-at",
  reason,
  parserVersion: 1,
  ...(path ? { path } : {})
})
const normalizedRecord = (orderKey: string, outcome: "changed" | "unchanged" = "changed"): AppEvent => ({
  _tag: "WebhookNormalized",
  webhookId: "w1",
  orderKey,
  outcome,
  eventTypes: outcome === "changed" ? ["OrderNormalized"] : [],
  parserVersion: 1
})

const failed = (reason: string, path?: string): NormalizeResult => ({
  outcome: { _tag: "Failed", reason, parserVersion: 1, ...(path ? { path } : {}) },
  orderEvents: [],
  plan: { events: [], jobs: [] }
})
const observed = (orderKey: string, orderEvents: ReadonlyArray<AppEvent> = []): NormalizeResult => ({
  outcome: { _tag: "Observed", orderKey } as Observed,
  orderEvents,
  plan: { events: [], jobs: [] }
})
const planned: AppEvent = {
  _tag: "DispatchPlanned",
  orderKey: "shop-at:1",
  targets: [{ targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }],
  decisions: [],
  trigger: "paid"
}
const paid: AppEvent = { _tag: "PaymentUpdated", webhookId: "w1", orderKey: "shop-at:1", from: "pending", to: "paid" }

describe("what a re-normalization would change", () => {
  it("a fixed failure: the order events it would append", () => {
    expect(
      compareRun(failedRecord("source shop-at is no longer configured"), observed("shop-at:1", [paid, planned]))
    ).toEqual({
      before: "failed: source shop-at is no longer configured",
      after: "order shop-at:1: PaymentUpdated, DispatchPlanned (awin)",
      changes: true,
      orderKey: "shop-at:1",
      orderEvents: ["PaymentUpdated", "DispatchPlanned (awin)"]
    })
  })

  it("the same failure again is no change, whatever the field order", () => {
    const c = compareRun(
      failedRecord("total: not a decimal amount", "total"),
      failed("total: not a decimal amount", "total")
    )
    expect(c).toMatchObject({ changes: false, before: "failed: total: not a decimal amount" })
  })

  it("another failure reason is a change", () => {
    expect(compareRun(failedRecord("a"), failed("b")).changes).toBe(true)
  })

  it("already normalized into the same order with nothing new: no change", () => {
    expect(compareRun(normalizedRecord("shop-at:1"), observed("shop-at:1"))).toMatchObject({
      before: "changed: order shop-at:1 (OrderNormalized)",
      after: "order shop-at:1: nothing new",
      changes: false
    })
  })

  it("a failure that now lands on an order that already knows it still changes the verdict", () => {
    expect(compareRun(failedRecord("x"), observed("shop-at:1")).changes).toBe(true)
  })

  it("a webhook never normalized (its job never ran) would be", () => {
    expect(compareRun(undefined, observed("shop-at:1"))).toMatchObject({ before: "not normalized yet", changes: true })
  })
})
