import { randomUUID } from "node:crypto"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import {
  appendStreams,
  type Checkpoint,
  checkpointOf,
  enqueueJobs,
  readAll,
  readStream,
  START
} from "../../src/events/store.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"
import { deliberatePause, eventually, waitUntil } from "../support/wait.js"

let url: string
let sql: Sql
let owner: Sql
beforeAll(async () => {
  url = await freshDatabase()
  sql = appSql(url, 20)
  owner = ownerSql(url)
})

const ev = (n: number, type = "Noted") => ({ type, data: { n } })

describe("append", () => {
  it("lets exactly one of many concurrent writers win each version; the others get a conflict", async () => {
    const stream = `race-${randomUUID()}`
    await appendStreams(sql, [{ streamId: stream, expectedVersion: "no_stream", events: [ev(0)] }])
    for (let version = 1; version <= 5; version++) {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, w) =>
          sql.begin((tx) => appendStreams(tx, [{ streamId: stream, expectedVersion: version, events: [ev(w)] }]))
        )
      )
      const tags = outcomes.map((o) => o[0]!._tag)
      expect(tags.filter((t) => t === "Appended")).toHaveLength(1)
      expect(tags.filter((t) => t === "Conflict")).toHaveLength(7)
      const conflict = outcomes.find((o) => o[0]!._tag === "Conflict")![0]!
      expect(conflict).toMatchObject({
        _tag: "Conflict",
        streamId: stream,
        expectedVersion: version,
        actualVersion: version + 1
      })
    }
    const events = await readStream(sql, stream)
    expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it("refuses a second creation of the same stream", async () => {
    const stream = `fresh-${randomUUID()}`
    const [a, b] = await Promise.all([
      sql.begin((tx) => appendStreams(tx, [{ streamId: stream, expectedVersion: "no_stream", events: [ev(1)] }])),
      sql.begin((tx) => appendStreams(tx, [{ streamId: stream, expectedVersion: "no_stream", events: [ev(2)] }]))
    ])
    expect([a[0]!._tag, b[0]!._tag].sort()).toEqual(["Appended", "Conflict"])
  })

  it("treats a retried append with the same event ids as already appended", async () => {
    const stream = `idem-${randomUUID()}`
    const events = [
      { ...ev(1), eventId: randomUUID() },
      { ...ev(2), eventId: randomUUID() }
    ]
    const first = await appendStreams(sql, [{ streamId: stream, expectedVersion: "no_stream", events }])
    const again = await appendStreams(sql, [{ streamId: stream, expectedVersion: "no_stream", events }])
    expect(first[0]!._tag).toBe("Appended")
    expect(again[0]).toEqual({ _tag: "AlreadyAppended", streamId: stream })
    expect(await readStream(sql, stream)).toHaveLength(2)
  })

  it("appends to many streams in one call, handing out versions in call order for 'any'", async () => {
    const s = `any-${randomUUID()}`
    const outcomes = await appendStreams(sql, [
      { streamId: s, expectedVersion: "any", events: [ev(1), ev(2)] },
      { streamId: `other-${randomUUID()}`, expectedVersion: "no_stream", events: [ev(3)] },
      { streamId: s, expectedVersion: "any", events: [ev(4)] }
    ])
    expect(outcomes.map((o) => o._tag)).toEqual(["Appended", "Appended", "Appended"])
    expect(outcomes[0]).toMatchObject({ fromVersion: 1, toVersion: 2 })
    expect(outcomes[2]).toMatchObject({ fromVersion: 3, toVersion: 3 })
    expect((await readStream(sql, s)).map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 4])
  })
})

describe("jobs in the append transaction", () => {
  const jobCount = async (key: string) =>
    Number((await owner`select count(*) from graphile_worker.jobs where key = ${key}`)[0]!.count)

  it("keeps neither the events nor the jobs of a rolled-back append", async () => {
    const stream = `rollback-${randomUUID()}`
    const key = `job-${randomUUID()}`
    await expect(
      sql.begin(async (tx) => {
        await appendStreams(tx, [{ streamId: stream, expectedVersion: "no_stream", events: [ev(1)] }])
        await enqueueJobs(tx, [{ task: "noop", payload: { stream }, jobKey: key }])
        throw new Error("boom")
      })
    ).rejects.toThrow("boom")
    expect(await readStream(sql, stream)).toHaveLength(0)
    expect(await jobCount(key)).toBe(0)
  })

  it("keeps both when it commits, with one add_jobs call for many jobs", async () => {
    const stream = `commit-${randomUUID()}`
    const keys = [randomUUID(), randomUUID(), randomUUID()]
    await sql.begin(async (tx) => {
      await appendStreams(tx, [{ streamId: stream, expectedVersion: "no_stream", events: [ev(1)] }])
      await enqueueJobs(
        tx,
        keys.map((k) => ({ task: "noop", payload: { k }, jobKey: k }))
      )
    })
    expect(await readStream(sql, stream)).toHaveLength(1)
    for (const k of keys) expect(await jobCount(k)).toBe(1)
  })
})

describe("immutability", () => {
  it("refuses UPDATE, DELETE and TRUNCATE from the app's own connection", async () => {
    const stream = `immutable-${randomUUID()}`
    await appendStreams(sql, [{ streamId: stream, expectedVersion: "no_stream", events: [ev(1)] }])
    await expect(sql`update events set data = '{}' where stream_id = ${stream}`).rejects.toThrow()
    await expect(sql`delete from events where stream_id = ${stream}`).rejects.toThrow()
    await expect(sql`truncate events`).rejects.toThrow()
    // The app role cannot switch the triggers off either.
    await expect(sql`alter table events disable trigger events_refuse_update_delete`).rejects.toThrow()
    await expect(sql`set session_replication_role = replica`).rejects.toThrow()
    expect(await readStream(sql, stream)).toHaveLength(1)
  })

  it("refuses them for the owner too (statement triggers)", async () => {
    await expect(owner`update events set type = 'x'`).rejects.toThrow(/append-only/)
    await expect(owner`delete from events`).rejects.toThrow(/append-only/)
    await expect(owner`truncate events`).rejects.toThrow(/append-only/)
  })
})

describe("readAll", () => {
  const drain = async (from: Checkpoint, prefix: string) => {
    const seen: Array<number> = []
    let checkpoint = from
    for (;;) {
      const page = await readAll(sql, checkpoint, 7, { streamPrefix: prefix })
      if (page.length === 0) return { seen, checkpoint }
      for (const e of page) seen.push(e.globalPosition)
      checkpoint = checkpointOf(page[page.length - 1]!)
    }
  }

  it("never skips or repeats an event while writers commit out of order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 25 }), size: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 2,
          maxLength: 12
        }),
        async (writers) => {
          const prefix = `prop-${randomUUID()}-`
          const committed = new Set<number>()
          let checkpoint: Checkpoint = START
          const seen: Array<number> = []
          let done = false
          // A reader polls while the writers run; each writer takes its positions early and commits late.
          const reader = (async () => {
            while (!done) {
              const page = await drain(checkpoint, prefix)
              seen.push(...page.seen)
              checkpoint = page.checkpoint
              await deliberatePause(2, "pacing")
            }
          })()
          await Promise.all(
            writers.map((w, i) =>
              sql
                .begin(async (tx) => {
                  const [o] = await appendStreams(tx, [
                    {
                      streamId: `${prefix}${i}`,
                      expectedVersion: "no_stream",
                      events: Array.from({ length: w.size }, (_, k) => ev(k))
                    }
                  ])
                  // Commits late, in an order the property chooses.
                  await deliberatePause(w.delay, "pacing")
                  return o
                })
                .then((o) => {
                  if (o?._tag === "Appended") for (const p of o.positions) committed.add(p)
                })
            )
          )
          done = true
          await reader
          // xmin is cluster-wide: a transaction open in another test's database can hold the reader
          // back for a moment, so keep draining until everything committed has been read.
          const detail = () => JSON.stringify({ seen, committed: [...committed] })
          await waitUntil(
            "everything committed read",
            async () => {
              const rest = await drain(checkpoint, prefix)
              seen.push(...rest.seen)
              checkpoint = rest.checkpoint
              return seen.length >= committed.size
            },
            5_000,
            detail
          )
          expect(new Set(seen).size, detail()).toBe(seen.length)
          expect(
            [...seen].sort((a, b) => a - b),
            detail()
          ).toEqual([...committed].sort((a, b) => a - b))
        }
      ),
      { numRuns: 15 }
    )
  })

  it("waits for an open transaction instead of reading past it", async () => {
    const prefix = `wait-${randomUUID()}-`
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let appended!: () => void
    const slowAppended = new Promise<void>((r) => (appended = r))
    const slow = sql.begin(async (tx) => {
      await appendStreams(tx, [{ streamId: `${prefix}slow`, expectedVersion: "no_stream", events: [ev(1)] }])
      appended()
      await gate
    })
    await slowAppended
    await appendStreams(sql, [{ streamId: `${prefix}fast`, expectedVersion: "no_stream", events: [ev(2)] }])
    expect(await readAll(sql, START, 100, { streamPrefix: prefix })).toHaveLength(0)
    release()
    await slow
    const all = await eventually(async () => {
      const page = await readAll(sql, START, 100, { streamPrefix: prefix })
      return page.length >= 2 ? page : undefined
    })
    expect(all.map((e) => e.streamId)).toEqual([`${prefix}slow`, `${prefix}fast`])
  })

  it("orders by transaction id as a number, also where the id gains a digit (99 < 100)", async () => {
    // Bring the cluster's next transaction id just below a power of ten (embedded test clusters are
    // young, so this is a few thousand transactions), then append on both sides of it.
    await owner.unsafe(`
      create or replace procedure s2s_test_burn_xids(n integer) language plpgsql as $$
      begin for i in 1..n loop perform pg_current_xact_id(); commit; end loop; end $$`)
    const [{ x }] = (await owner`select pg_current_xact_id()::text::bigint as x`) as unknown as [{ x: string }]
    const current = Number(x)
    const boundary = 10 ** String(current).length
    if (boundary - current - 3 <= 100_000) await owner.unsafe(`call s2s_test_burn_xids(${boundary - current - 3})`)
    const prefix = `digits-${randomUUID()}-`
    const before = await readStream(sql, "x")
    expect(before).toHaveLength(0)
    for (let i = 0; i < 6; i++)
      await appendStreams(sql, [{ streamId: `${prefix}${i}`, expectedVersion: "no_stream", events: [ev(i)] }])
    const seen: Array<number> = []
    let checkpoint: Checkpoint = START
    await waitUntil(
      "six events read",
      async () => {
        for (;;) {
          const page = await readAll(sql, checkpoint, 2, { streamPrefix: prefix })
          if (page.length === 0) return seen.length >= 6
          for (const e of page) seen.push((e.data as { n: number }).n)
          checkpoint = checkpointOf(page[page.length - 1]!)
        }
      },
      5_000,
      () => JSON.stringify(seen)
    )
    expect(seen).toEqual([0, 1, 2, 3, 4, 5])
  })
})
