// What one webhook decides (decision.ts), the part the single job and the batch share, as
// given/when/then: the webhook's stream and the configuration, then the order's stream.
// And the batch jobs' contract (jobs/normalizeJobs.ts) and the rule for many items' jobs in one call.
import { describe, expect, it } from "vitest"
import { type ConfigSnapshot, emptySnapshot } from "../../src/config/state.js"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import type { WebhookReceived } from "../../src/events/webhook.js"
import { jobWeight } from "../../src/jobs/jobBudget.js"
import { NORMALIZE_SHARDS, normalizeBatchJob, normalizeJob, normalizeShardOf } from "../../src/jobs/normalizeJobs.js"
import { distinctJobKeys } from "../../src/jobs/queue.js"
import { decideOrder, examine, orderWrites, verdictWrites } from "../../src/normalize/decision.js"
import { fixtureText, SOURCES, webhook } from "./support.js"

const config: ConfigSnapshot = { ...emptySnapshot, sources: new Map([[SOURCES.shopDe.id, SOURCES.shopDe]]) }

const received = (text: string, topic = "orders/paid"): WebhookReceived => ({
  _tag: "WebhookReceived",
  webhookId: "w1",
  kind: "shopify",
  dedupKey: "d1",
  ...webhook("shop-de", text, topic)
})

const stream = (streamId: string, events: ReadonlyArray<AppEvent>): ReadonlyArray<RecordedEvent> =>
  events.map((event, i) => ({
    position: i + 1,
    transactionId: "1",
    streamId,
    version: i + 1,
    eventId: `e${i}`,
    event,
    metadata: {},
    recordedAt: new Date(0)
  }))

const paid = received(fixtureText("shopify/orders-paid.json"))
const marker: AppEvent = {
  _tag: "WebhookNormalized",
  webhookId: "w1",
  outcome: "skipped",
  eventTypes: [],
  parserVersion: 1
}

describe("examine (the webhook's stream)", () => {
  it("given no WebhookReceived: Missing", () => {
    expect(examine("w1", [], config, false)._tag).toBe("Missing")
  })

  it("given a normalized webhook: Done, unless a re-run was requested or it is a dry run", () => {
    expect(examine("w1", stream("webhook-w1", [paid, marker]), config, false)._tag).toBe("Done")
    expect(examine("w1", stream("webhook-w1", [paid, marker]), config, true)._tag).toBe("Observed")
    const requested: AppEvent = { _tag: "RenormalizationRequested", webhookId: "w1", reason: "r", actor: "a" }
    expect(examine("w1", stream("webhook-w1", [paid, marker, requested]), config, false)._tag).toBe("Observed")
  })

  it("given a body that does not parse: a NormalizationFailed verdict; the same verdict again is `same`", () => {
    const bad = received("{", "orders/paid")
    const first = examine("w1", stream("webhook-w1", [bad]), config, false)
    expect(first).toMatchObject({ _tag: "Verdict", same: false, record: { _tag: "NormalizationFailed" } })
    if (first._tag !== "Verdict") throw new Error("not a verdict")
    const requested: AppEvent = { _tag: "RenormalizationRequested", webhookId: "w1", reason: "r", actor: "a" }
    const again = examine("w1", stream("webhook-w1", [bad, first.record, requested]), config, false)
    expect(again).toMatchObject({ _tag: "Verdict", same: true })
  })

  it("given a removed source: failed as unknown_source", () => {
    const examined = examine("w1", stream("webhook-w1", [paid]), emptySnapshot, false)
    expect(examined).toMatchObject({ _tag: "Verdict", record: { category: "unknown_source" } })
  })

  it("records a verdict at the webhook stream's version, under the webhook's metadata", () => {
    const examined = examine("w1", stream("webhook-w1", [received("{")]), config, false)
    if (examined._tag !== "Verdict") throw new Error("not a verdict")
    const writes = verdictWrites("w1", examined, { appends: [], jobs: [] })
    expect(writes.appends).toEqual([
      expect.objectContaining({
        streamId: "webhook-w1",
        expectedVersion: 1,
        metadata: { actor: "worker", correlationId: "w1" }
      })
    ])
  })
})

describe("decideOrder (then the order's stream)", () => {
  const examined = examine("w1", stream("webhook-w1", [paid]), config, false)
  if (examined._tag !== "Observed") throw new Error("not observed")

  it("given a new order: its events on a new stream and the webhook's marker, changed", () => {
    const decision = decideOrder("w1", examined.outcome, [], config, new Date(0))
    expect(decision.orderVersion).toBeUndefined()
    expect(decision.orderAppend.map((e) => e._tag)).toContain("PaymentUpdated")
    expect(decision.marker).toMatchObject({ _tag: "WebhookNormalized", outcome: "changed" })
    const writes = orderWrites("w1", examined, decision, { appends: [], jobs: [] })
    expect(writes.appends.map((a) => [a.streamId, a.expectedVersion])).toEqual([
      [`order-${decision.orderKey}`, "no_stream"],
      ["webhook-w1", 1]
    ])
    expect(writes.appends.every((a) => a.metadata?.causationId === "w1")).toBe(true)
  })

  it("given the order already holds what the webhook says: unchanged, nothing for the order stream", () => {
    const first = decideOrder("w1", examined.outcome, [], config, new Date(0))
    const orderEvents = stream(`order-${first.orderKey}`, first.orderAppend)
    const again = decideOrder("w1", examined.outcome, orderEvents, config, new Date(0))
    expect(again.orderAppend).toEqual([])
    expect(again.orderVersion).toBe(first.orderAppend.length)
    expect(again.marker).toMatchObject({ outcome: "unchanged" })
    expect(orderWrites("w1", examined, again, { appends: [], jobs: [] }).appends.map((a) => a.streamId)).toEqual([
      "webhook-w1"
    ])
  })
})

describe("the normalization jobs", () => {
  it("puts a webhook in a stable shard's batch, queued under the batch's key, with its weight", () => {
    const job = normalizeBatchJob({ webhookId: "abc", bytes: 1200 })
    const shard = normalizeShardOf("abc")
    expect(shard).toBeGreaterThanOrEqual(0)
    expect(shard).toBeLessThan(NORMALIZE_SHARDS)
    expect(job).toEqual({
      task: "normalize-batch",
      payload: [{ webhookId: "abc", bytes: 1200 }],
      jobKey: `normalize-batch:${shard}`,
      queueName: `normalize-batch:${shard}`,
      maxAttempts: 10
    })
    expect(jobWeight([...job.payload, ...job.payload, ...job.payload], 2)).toBe(2400)
  })

  it("spreads webhook ids over every shard", () => {
    const shards = new Set(Array.from({ length: 64 }, (_, i) => normalizeShardOf(`webhook-${i}`)))
    expect(shards.size).toBe(NORMALIZE_SHARDS)
  })

  it("keeps the single job's key, so a waiting one is not doubled", () => {
    expect(normalizeJob({ webhookId: "abc" })).toMatchObject({ task: "normalize-webhook", jobKey: "normalize:abc" })
  })

  it("enqueues one spec per single-job key and every batch item", () => {
    const jobs = [
      { task: "deliver-alert", payload: { n: 1 }, jobKey: "a" },
      { task: "dispatch-batch", payload: [1], jobKey: "b" },
      { task: "deliver-alert", payload: { n: 2 }, jobKey: "a" },
      { task: "dispatch-batch", payload: [2], jobKey: "b" },
      { task: "x", payload: {} }
    ]
    expect(distinctJobKeys(jobs)).toEqual([jobs[1], jobs[3], jobs[4], jobs[2]])
  })
})
