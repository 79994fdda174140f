import { randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import { appendStreams } from "../../src/events/store.js"
import { rawBody } from "../../src/ingest/body.js"
import { rebuild } from "../../src/projections/rebuild.js"
import { activeGeneration, ensureRegistered, runBatch } from "../../src/projections/runner.js"
import { streamSummaries } from "../../src/projections/streamSummaries.js"
import { appSql, freshDatabase } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

let sql: Sql
beforeAll(async () => {
  sql = appSql(await freshDatabase(), 12)
  await ensureRegistered(sql, streamSummaries.name)
})

const webhook = (id: string) => ({
  _tag: "WebhookReceived" as const,
  webhookId: id,
  sourceId: "shop-de",
  kind: "shopify",
  dedupKey: id,
  headers: {},
  receivedAt: "2026-11-20T10:00:00.000Z",
  body: rawBody(Buffer.from(`{"id":"${id}"}`))
})

const appendWebhooks = async (count: number) => {
  for (let i = 0; i < count; i += 50) {
    const ids = Array.from({ length: Math.min(50, count - i) }, () => randomUUID())
    await sql.begin((tx) =>
      appendStreams(
        tx,
        ids.flatMap((id) => [
          toStoreAppend({ streamId: `webhook-${id}`, expectedVersion: "no_stream", events: [webhook(id)] }, {}),
          toStoreAppend(
            {
              streamId: `webhook-${id}`,
              expectedVersion: "any",
              events: [{ ...webhook(id), _tag: "WebhookDuplicateReceived" }]
            },
            {}
          )
        ])
      )
    )
  }
}

// xmin is cluster-wide: an open transaction elsewhere (another test file) can hold readers back for a
// moment, so "caught up" means the checkpoint reached the last event, not "a batch read nothing".
const catchUp = async () => {
  const [{ max }] = (await sql`select max(global_position)::int as max from events`) as unknown as [{ max: number }]
  await waitUntil("stream_summaries caught up", async () => {
    for (;;) {
      const gen = await activeGeneration(sql, streamSummaries.name)
      const r = await runBatch(sql, streamSummaries, gen, 200)
      if (r._tag === "Applied" && r.read === 0) return r.checkpoint.position >= max
    }
  })
}

const liveRows = async () =>
  sql`
    select stream_id, category, version, event_count, first_event_type, last_event_type, last_position
    from stream_summaries
    where generation = (select active_generation from projections where name = 'stream_summaries')
    order by stream_id`

describe("projection rebuild", () => {
  it("builds the same read model as the live projection and swaps it in atomically", async () => {
    await appendWebhooks(600)
    await catchUp()
    const before = await liveRows()
    expect(before).toHaveLength(600)
    expect(before.every((r) => Number(r.event_count) === 2 && r.last_event_type === "WebhookDuplicateReceived")).toBe(
      true
    )

    // Readers during the rebuild see a complete view every time: the old one or the new one.
    let reading = true
    const counts: Array<number> = []
    const reader = (async () => {
      while (reading) {
        const [row] = await sql`
          select count(*)::int as n from stream_summaries
          where generation = (select active_generation from projections where name = 'stream_summaries')`
        counts.push(row!.n as number)
      }
    })()
    const progress: Array<number> = []
    const report = await rebuild(sql, streamSummaries, { batchSize: 100, onProgress: (p) => progress.push(p.done) })
    reading = false
    await reader
    expect(counts.length).toBeGreaterThan(0)
    expect(counts.every((n) => n === 600)).toBe(true)
    expect(report).toMatchObject({
      fromGeneration: 1,
      toGeneration: 2,
      events: 1200,
      rows: 600,
      added: 0,
      removed: 0,
      changed: 0
    })
    expect(progress.at(-1)).toBe(1200)
    expect(await liveRows()).toEqual(before)
    expect(await activeGeneration(sql, "stream_summaries")).toBe(2)
    const [old] = await sql`select count(*)::int as n from stream_summaries where generation = 1`
    expect(old!.n).toBe(0)
  })

  it("includes events appended while the rebuild runs, and reports what differs", async () => {
    const appending = appendWebhooks(200)
    const report = await rebuild(sql, streamSummaries, { batchSize: 50 })
    await appending
    await catchUp()
    const rows = await liveRows()
    expect(rows).toHaveLength(800)
    expect(report.toGeneration).toBe(3)
    expect(report.changed).toBe(0)
  })

  it("refuses a second rebuild of the same projection while one runs", async () => {
    const [a, b] = await Promise.allSettled([rebuild(sql, streamSummaries), rebuild(sql, streamSummaries)])
    const outcomes = [a.status, b.status].sort()
    expect(outcomes).toEqual(["fulfilled", "rejected"])
    const rejected = [a, b].find((r) => r.status === "rejected") as PromiseRejectedResult
    expect(String(rejected.reason)).toMatch(/already running/)
  })
})
