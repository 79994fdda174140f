import { randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { encodeEvent } from "../../src/events/Events.js"
import { rawBody } from "../../src/ingest/body.js"
import { commitDeliveries, type Delivery, duplicateOf, makeGroupCommitter } from "../../src/ingest/GroupCommit.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"

let sql: Sql
let owner: Sql
beforeAll(async () => {
  const url = await freshDatabase()
  sql = appSql(url)
  owner = ownerSql(url)
})

const delivery = (id: string, task = "normalize-webhook", padding = 0): Delivery => ({
  streamId: `webhook-${id}`,
  received: {
    _tag: "WebhookReceived",
    webhookId: id,
    sourceId: "s",
    kind: "shopify",
    dedupKey: id,
    headers: {},
    receivedAt: new Date().toISOString(),
    body: rawBody(Buffer.from(`{"id":"${id}","pad":"${"x".repeat(padding)}"}`))
  },
  job: { task, payload: { webhookId: id } },
  metadata: {}
})

describe("group commit", () => {
  it("commits concurrent deliveries in shared transactions and answers each caller", async () => {
    const batches: Array<number> = []
    const committer = makeGroupCommitter(sql, { maxBatch: 50, maxInFlight: 1, onBatch: (n) => batches.push(n) })
    const ids = Array.from({ length: 120 }, () => randomUUID())
    const outcomes = await Promise.all(ids.map((id) => committer.submit(delivery(id))))
    expect(outcomes.every((o) => o._tag === "Received")).toBe(true)
    expect(batches.reduce((a, b) => a + b, 0)).toBe(120)
    expect(batches.length).toBeLessThan(120)
    const stored =
      await sql`select count(*) from events where stream_id = any(${ids.map((i) => `webhook-${i}`)}::text[])`
    expect(Number(stored[0]!.count)).toBe(120)
  })

  it("caps a batch by the bytes of its bodies as well as by count, so a burst of large bodies is many small statements", async () => {
    const batches: Array<number> = []
    const committer = makeGroupCommitter(sql, {
      maxBatch: 50,
      maxInFlight: 1,
      maxBatchBytes: 250_000,
      onBatch: (n) => batches.push(n)
    })
    const ids = Array.from({ length: 12 }, () => randomUUID())
    // 100 kB each: at most two fit under the cap with a third (300 kB) over it.
    const outcomes = await Promise.all(ids.map((id) => committer.submit(delivery(id, "normalize-webhook", 100_000))))
    expect(outcomes.every((o) => o._tag === "Received")).toBe(true)
    expect(batches.reduce((a, b) => a + b, 0)).toBe(12)
    expect(Math.max(...batches)).toBe(2)
    // One body larger than the cap still goes, alone.
    const big = randomUUID()
    await expect(committer.submit(delivery(big, "normalize-webhook", 400_000))).resolves.toEqual({ _tag: "Received" })
    expect(batches.at(-1)).toBe(1)
  })

  it("falls back to one transaction per delivery when a batch fails, so only the bad one fails", async () => {
    const committer = makeGroupCommitter(sql, { maxBatch: 50, maxInFlight: 1 })
    const good = Array.from({ length: 9 }, () => randomUUID())
    const bad = randomUUID()
    // graphile-worker refuses task identifiers over 128 characters: this delivery's add_jobs fails.
    const results = await Promise.allSettled([
      ...good.map((id) => committer.submit(delivery(id))),
      committer.submit(delivery(bad, "x".repeat(200)))
    ])
    expect(results.slice(0, 9).every((r) => r.status === "fulfilled")).toBe(true)
    expect(results[9]!.status).toBe("rejected")
    const stored =
      await sql`select stream_id from events where stream_id = any(${[...good, bad].map((i) => `webhook-${i}`)}::text[])`
    expect(stored.map((r) => r.stream_id).sort()).toEqual(good.map((i) => `webhook-${i}`).sort())
  })

  it("writes a redelivery as the received event under its own type, testMode dropped, body sent once", async () => {
    const id = randomUUID()
    const first: Delivery = {
      ...delivery(id),
      received: { ...delivery(id).received, topic: "orders/paid", remoteAddress: "203.0.113.9", testMode: true },
      metadata: { actor: "webhook:s", correlationId: id }
    }
    // The same webhook twice in one batch, then once more in a batch of its own.
    expect(await commitDeliveries(sql, [first, first])).toEqual([{ _tag: "Received" }, { _tag: "Duplicate" }])
    expect(await commitDeliveries(sql, [first])).toEqual([{ _tag: "Duplicate" }])
    const rows = await sql<Array<{ type: string; schema_version: number; data: unknown; metadata: unknown }>>`
      select type, schema_version, data, metadata from events where stream_id = ${`webhook-${id}`} order by stream_version`
    const received = encodeEvent(first.received)
    const duplicate = encodeEvent(duplicateOf(first.received))
    expect(received.data).toHaveProperty("testMode", true)
    expect(duplicate.data).not.toHaveProperty("testMode")
    expect(rows).toEqual([
      { type: received.type, schema_version: received.schemaVersion, data: received.data, metadata: first.metadata },
      { type: duplicate.type, schema_version: duplicate.schemaVersion, data: duplicate.data, metadata: first.metadata },
      { type: duplicate.type, schema_version: duplicate.schemaVersion, data: duplicate.data, metadata: first.metadata }
    ])
    // One normalization job, for the first delivery only.
    const byPayload =
      await owner`select count(*)::int as n from graphile_worker._private_jobs where payload->>'webhookId' = ${id}`
    expect(byPayload[0]!.n).toBe(1)
  })
})
