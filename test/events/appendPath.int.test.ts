// One append path (sql/0010): every event is inserted by s2s_append_stream, whichever door it comes
// in by (s2s_append, s2s_record_deliveries, appendStreams), so the idempotency rules are the same for all.
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
})
