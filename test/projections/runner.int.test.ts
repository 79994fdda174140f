// The runner's checkpoint for a projection that reads a few event types: it advances over events of
// other types too (a projection that has seen everything up to X has its checkpoint at X), so lag is
// zero while only unrelated events arrive.
import { randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import { conversions } from "../../src/projections/conversions.js"
import type { EventHeader, Projection } from "../../src/projections/Projection.js"
import { activeGeneration, ensureRegistered, lag, runBatch } from "../../src/projections/runner.js"
import { appSql, freshDatabase } from "../support/db.js"

let sql: Sql
beforeAll(async () => {
  sql = appSql(await freshDatabase(), 4)
})

const note = (webhookId: string): AppEvent => ({
  _tag: "RenormalizationRequested",
  webhookId,
  reason: "test",
  actor: "t"
})
const unrelated = (targetId: string): AppEvent => ({ _tag: "TargetRemoved", targetId })

const append = (streamId: string, events: ReadonlyArray<AppEvent>) =>
  sql.begin((tx) => appendStreams(tx, [toStoreAppend({ streamId, expectedVersion: "any", events }, {})]))

const lastPosition = async () => {
  const [row] = await sql<Array<{ max: number }>>`select max(global_position)::int as max from events`
  return row!.max
}

// xmin is cluster-wide: a transaction open in another test file's database can hold the reader back
// for a moment, so batches are run until the checkpoint reaches the last event (or a deadline).
const runUntil = async (projection: Projection, position: number) => {
  const deadline = Date.now() + 15_000
  for (;;) {
    const generation = await activeGeneration(sql, projection.name)
    const result = await runBatch(sql, projection, generation, 50)
    if (result._tag === "Applied" && result.checkpoint.position >= position) return result
    if (Date.now() > deadline) return result
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const recording = (name: string, seen: Array<EventHeader>): Projection => ({
  name,
  eventTypes: new Set(["RenormalizationRequested"]),
  reads: "headers",
  table: "stream_summaries",
  keyColumn: "stream_id",
  apply: async (_tx, _generation, events) => {
    seen.push(...events)
  }
})

describe("projection runner", () => {
  it("advances the checkpoint of a filtered projection over events it does not read: no lag", async () => {
    await ensureRegistered(sql, conversions.name)
    for (let i = 0; i < 3; i++) await append(`note-${randomUUID()}`, [note("a"), note("b")])
    const last = await lastPosition()
    const result = await runUntil(conversions, last)
    expect(result).toMatchObject({ _tag: "Applied", read: 0, checkpoint: { position: last } })
    expect(await lag(sql, conversions.name, await activeGeneration(sql, conversions.name))).toEqual({
      events: 0,
      seconds: 0
    })
    const [row] = await sql`select events_applied::int as n from projection_checkpoints where name = 'conversions'`
    expect(row!.n).toBe(0)
  })

  it("applies its own types and ends at the last event scanned, across full and short batches", async () => {
    const seen: Array<EventHeader> = []
    const projection = recording(`recording_${randomUUID().slice(0, 8)}`, seen)
    await ensureRegistered(sql, projection.name)
    const stream = `mixed-${randomUUID()}`
    // 120 wanted events (more than a batch of 50) between unwanted ones, then unwanted ones only.
    for (let i = 0; i < 4; i++) {
      await append(`other-${randomUUID()}`, [unrelated(String(i))])
      await append(
        stream,
        Array.from({ length: 30 }, (_, k) => note(`${i}-${k}`))
      )
    }
    await append(`other-${randomUUID()}`, [unrelated("tail-1"), unrelated("tail-2")])
    const last = await lastPosition()
    const result = await runUntil(projection, last)
    expect(result).toMatchObject({ _tag: "Applied", checkpoint: { position: last } })
    expect(seen.every((e) => e.type === "RenormalizationRequested")).toBe(true)
    const mine = seen.filter((e) => e.streamId === stream)
    expect(mine.map((e) => e.version)).toEqual(Array.from({ length: 120 }, (_, k) => k + 1))
    // Caught up: another round reads nothing and leaves the checkpoint where it is.
    const again = await runBatch(sql, projection, 1, 50)
    expect(again).toMatchObject({ _tag: "Applied", read: 0, checkpoint: { position: last } })
  })
})
