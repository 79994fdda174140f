// The runner's checkpoint for a projection that reads a few event types: it advances over events of
// other types too (a projection that has seen everything up to X has its checkpoint at X), so lag is
// zero while only unrelated events arrive.
import { randomBytes, randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import { conversions } from "../../src/projections/conversions.js"
import type { EventHeader, Projection } from "../../src/projections/Projection.js"
import { activeGeneration, ensureRegistered, lag, runBatch } from "../../src/projections/runner.js"
import { appSql, freshDatabase } from "../support/db.js"
import { eventually } from "../support/wait.js"

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
const runUntil = (projection: Projection, position: number) =>
  eventually(
    async () => {
      const generation = await activeGeneration(sql, projection.name)
      const result = await runBatch(sql, projection, generation, 50)
      return result._tag === "Applied" && result.checkpoint.position >= position ? result : undefined
    },
    15_000,
    `${projection.name} at position ${position}`
  )

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

  it("caps a batch by the stored size of its events' data, always taking one, and reads the rest after", async () => {
    const seen: Array<{ streamId: string; version: number }> = []
    const projection: Projection = {
      name: `bytes_${randomUUID().slice(0, 8)}`,
      eventTypes: new Set(["RenormalizationRequested"]),
      reads: "events",
      table: "stream_summaries",
      keyColumn: "stream_id",
      apply: async (_tx, _generation, events) => {
        seen.push(...events.map((e) => ({ streamId: e.streamId, version: e.version })))
      }
    }
    await ensureRegistered(sql, projection.name)
    // Leave the checkpoint at the end of the log first, so only the events below are read.
    await runUntil(projection, await lastPosition())
    seen.length = 0
    const stream = `large-${randomUUID()}`
    // About 53 kB of data each, random so it does not compress. A batch takes events while the data
    // before them is under the cap: under 100 kB, two (0 and 53 kB before them), not a third (107 kB).
    const large = (i: number): AppEvent => ({
      _tag: "RenormalizationRequested",
      webhookId: `${i}`,
      reason: randomBytes(40_000).toString("base64"),
      actor: "t"
    })
    await append(
      stream,
      Array.from({ length: 6 }, (_, i) => large(i))
    )
    const generation = await activeGeneration(sql, projection.name)
    const sizes: Array<number> = []
    const deadline = Date.now() + 15_000
    while (seen.filter((e) => e.streamId === stream).length < 6 && Date.now() < deadline) {
      const before = seen.length
      const result = await runBatch(sql, projection, generation, 50, 100_000)
      if (result._tag === "Applied" && seen.length > before) {
        sizes.push(seen.length - before)
        expect(result.more).toBe(seen.filter((e) => e.streamId === stream).length < 6)
      }
    }
    expect(seen.filter((e) => e.streamId === stream).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6])
    expect(sizes).toEqual([2, 2, 2])
    // One event larger than the cap still goes through, alone.
    // Polled like the batches above: the read horizon is the server's oldest running transaction, and
    // another database's (a test file beside this one) may hold it behind this append for a moment.
    await append(stream, [large(6)])
    const one = await eventually(async () => {
      const result = await runBatch(sql, projection, generation, 50, 1_000)
      return result._tag === "Applied" && result.read === 0 ? undefined : result
    })
    expect(one).toMatchObject({ _tag: "Applied", read: 1 })
  })
})
