// One append path (sql/0010): every event is inserted by s2s_append_stream, whichever door it comes
// in by (s2s_append, s2s_record_deliveries, appendStreams), so the idempotency rules are the same for all.
// sql/0018 gave it a fast path for one event (one VALUES row, ids read only where a retry needs them).
import { randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appendInTransaction } from "../../src/events/EventStore.js"
import { appendStreams, readStream } from "../../src/events/store.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"

let sql: Sql
let owner: Sql
beforeAll(async () => {
  const url = await freshDatabase()
  sql = appSql(url, 4)
  owner = ownerSql(url)
})

describe("one append path", () => {
  it("no function but s2s_append_stream inserts into events", async () => {
    const rows = await owner<Array<{ name: string }>>`
      select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosrc ~* 'insert\\s+into\\s+events\\M'
      order by 1`
    expect(rows.map((r) => r.name)).toEqual(["s2s_append_stream"])
    const callers = await owner<Array<{ name: string }>>`
      select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosrc ~ 's2s_append_stream\\(' order by 1`
    expect(callers.map((r) => r.name)).toEqual(["s2s_append", "s2s_record_deliveries"])
  })

  it("appendStreams recognises a retried 'any' append by its event ids (it appended it twice before)", async () => {
    const stream = `retry-${randomUUID()}`
    const events = [{ eventId: randomUUID(), type: "Noted", data: { n: 1 } }]
    const first = await appendStreams(sql, [{ streamId: stream, expectedVersion: "any", events }])
    const again = await appendStreams(sql, [{ streamId: stream, expectedVersion: "any", events }])
    expect(first[0]).toMatchObject({ _tag: "Appended", fromVersion: 1, toVersion: 1 })
    expect(again[0]).toEqual({ _tag: "AlreadyAppended", streamId: stream })
    expect(await readStream(sql, stream)).toHaveLength(1)
  })

  it("appendStreams reports a conflict with the actual version and still appends the other streams", async () => {
    const taken = `taken-${randomUUID()}`
    const free = `free-${randomUUID()}`
    await appendStreams(sql, [{ streamId: taken, expectedVersion: "no_stream", events: [{ type: "Noted", data: {} }] }])
    const [conflict, appended] = await appendStreams(sql, [
      { streamId: taken, expectedVersion: "no_stream", events: [{ type: "Noted", data: {} }] },
      { streamId: free, expectedVersion: "no_stream", events: [{ type: "Noted", data: {} }] }
    ])
    expect(conflict).toEqual({ _tag: "Conflict", streamId: taken, expectedVersion: "no_stream", actualVersion: 1 })
    expect(appended).toMatchObject({ _tag: "Appended", fromVersion: 1, toVersion: 1 })
    expect(appended?._tag === "Appended" && appended.positions).toHaveLength(1)
  })

  it("s2s_append and appendStreams share the retry rule: ids stored in another stream are an error", async () => {
    const id = randomUUID()
    await appendStreams(sql, [
      { streamId: `one-${randomUUID()}`, expectedVersion: "any", events: [{ eventId: id, type: "Noted", data: {} }] }
    ])
    const elsewhere = [{ eventId: id, type: "Noted", data: {} }]
    await expect(
      appendStreams(sql, [{ streamId: `two-${randomUUID()}`, expectedVersion: "any", events: elsewhere }])
    ).rejects.toMatchObject({ code: "S2C02" })
    await expect(
      appendInTransaction(sql, [
        {
          streamId: `three-${randomUUID()}`,
          expectedVersion: "any",
          events: [{ _tag: "ApiTokenRevoked", tokenId: "t" }],
          eventIds: [id]
        }
      ])
    ).rejects.toMatchObject({ code: "S2C02" })
  })
  it("returns the same shape for one event (the fast path) as for several, each position the stored row's", async () => {
    type Result = { s: string; v: number; p: Array<number | string> }
    const append = async (stream: string, expected: string, events: Array<Record<string, unknown>>) => {
      const [row] = await sql<Array<{ r: Result }>>`
        select s2s_append_stream(${stream}, ${expected}, ${sql.json(events as never)}::jsonb) as r`
      return row!.r
    }
    const stored = async (stream: string) =>
      sql<Array<{ v: number; p: string; id: string; type: string; sv: number; data: unknown; metadata: unknown }>>`
        select stream_version::int as v, global_position::text as p, event_id::text as id, type,
               schema_version as sv, data, metadata
        from events where stream_id = ${stream} order by stream_version`

    const stream = `shape-${randomUUID()}`
    const id = randomUUID()
    const one = await append(stream, "no_stream", [{ id, t: "Noted", sv: 2, d: { n: 1 }, m: { actor: "test" } }])
    const two = await append(stream, "1", [
      { t: "Noted", d: { n: 2 } },
      { t: "Noted", d: { n: 3 } }
    ])
    const three = await append(stream, "any", [{ t: "Noted", d: { n: 4 } }])
    const rows = await stored(stream)
    expect(rows.map((r) => r.v)).toEqual([1, 2, 3, 4])
    expect(one).toEqual({ s: stream, v: 1, p: [Number(rows[0]!.p)] })
    expect(two).toEqual({ s: stream, v: 3, p: [Number(rows[1]!.p), Number(rows[2]!.p)] })
    expect(three).toEqual({ s: stream, v: 4, p: [Number(rows[3]!.p)] })
    expect(rows[0]).toMatchObject({ id, type: "Noted", sv: 2, data: { n: 1 }, metadata: { actor: "test" } })
    // No id given: a fresh one; no schema version or metadata: 1 and {}.
    expect(rows[3]).toMatchObject({ sv: 1, data: { n: 4 }, metadata: {} })
    expect(rows[3]!.id).toMatch(/^[0-9a-f-]{36}$/)

    // The single event's retry and conflict, which read the ids only now.
    expect(await append(stream, "no_stream", [{ id, t: "Noted", d: { n: 1 } }])).toEqual({ s: stream, v: -1, p: [] })
    expect(await append(stream, "no_stream", [{ id: randomUUID(), t: "Noted", d: {} }])).toEqual({
      s: stream,
      conflict: 4
    })
    expect(await append(stream, "2", [{ t: "Noted", d: {} }])).toEqual({ s: stream, conflict: 4 })
    expect(await append(stream, "any", [])).toBeNull()
    expect(await stored(stream)).toHaveLength(4)
  })
})
