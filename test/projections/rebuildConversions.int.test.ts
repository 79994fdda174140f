// The conversions rebuild prepares each batch while the one before is written, folds an order's
// events of a batch at once, and loads only the rows of orders it has written (rebuild.ts,
// conversions.ts rebuilder). Its view must be the live projection's, whatever the batches cut: here
// orders whose events are spread over many small batches, some in consecutive batches (the views kept
// from the batch before), some batches apart (their rows loaded).
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import { conversions } from "../../src/projections/conversions.js"
import type { Projection } from "../../src/projections/Projection.js"
import { rebuild } from "../../src/projections/rebuild.js"
import { activeGeneration, ensureRegistered, runBatch } from "../../src/projections/runner.js"
import { N, orderStreamTemplate } from "../bench/template.js"
import { appSql, freshDatabase } from "../support/db.js"
import { eventually } from "../support/wait.js"

let sql: Sql
beforeAll(async () => {
  sql = appSql(await freshDatabase(), 6)
  await ensureRegistered(sql, conversions.name)
})

const ORDERS = 24

const streamOf = (i: number): ReadonlyArray<AppEvent> =>
  JSON.parse(JSON.stringify(orderStreamTemplate()).replaceAll(N, String(i))) as ReadonlyArray<AppEvent>

const failed = (i: number, event: Extract<AppEvent, { _tag: "DispatchAttempted" }>): AppEvent => ({
  _tag: "DispatchFailed",
  orderKey: `shop-bench:${i}`,
  targetId: event.targetId,
  kind: event.kind,
  attempt: event.attempt,
  reason: "ServerError",
  retryable: true,
  message: "503",
  nextAttemptAt: "2026-11-25T10:20:00.000Z"
})

/** Each order's stream in rounds, the orders interleaved in every round, some with a retry. */
const appendInterleaved = async () => {
  const streams = Array.from({ length: ORDERS }, (_, i) => streamOf(i + 1))
  const rounds: ReadonlyArray<readonly [number, number]> = [
    [0, 1],
    [1, 3],
    [3, 5],
    [5, 9]
  ]
  for (const [from, to] of rounds)
    for (let i = 0; i < ORDERS; i++) {
      const events = streams[i]!.slice(from, to).flatMap((e) =>
        // Every third order's first attempts fail once before they succeed.
        e._tag === "DispatchAttempted" && i % 3 === 0 ? [e, failed(i + 1, e), { ...e, attempt: 2 }] : [e]
      )
      await sql.begin((tx) =>
        appendStreams(tx, [
          toStoreAppend({ streamId: `order-shop-bench:${i + 1}`, expectedVersion: "any", events }, {})
        ])
      )
    }
}

const lastPosition = async () => {
  const [row] = await sql<Array<{ max: number }>>`select max(global_position)::int as max from events`
  return row!.max
}

const catchUp = async () => {
  const last = await lastPosition()
  await eventually(
    async () => {
      const generation = await activeGeneration(sql, conversions.name)
      const result = await runBatch(sql, conversions, generation, 5)
      return result._tag === "Applied" && result.checkpoint.position >= last ? result : undefined
    },
    15_000,
    `conversions at position ${last}`
  )
}

const liveRows = () =>
  sql`
    select to_jsonb(c) - 'generation' as row from conversions c
    where generation = (select active_generation from projections where name = 'conversions')
    order by order_key`

describe("conversions rebuild", () => {
  it("builds the live projection's view with orders spread over many batches", async () => {
    await appendInterleaved()
    await catchUp()
    const live = await liveRows()
    expect(live).toHaveLength(ORDERS)
    const progress: Array<number> = []
    // 7 events a batch: an order's events land in batches next to each other and batches apart.
    const report = await rebuild(sql, conversions, { batchSize: 7, onProgress: (p) => progress.push(p.done) })
    expect(report).toMatchObject({ rows: ORDERS, added: 0, removed: 0, changed: 0 })
    expect(report.events).toBe(ORDERS * 9 + 8 * 3 * 2)
    expect(progress.length).toBeGreaterThan(report.events / 7)
    expect(await liveRows()).toEqual(live)
    const delivered = live.filter((r) => (r.row as { dispatch_state: string }).dispatch_state === "delivered")
    expect(delivered).toHaveLength(ORDERS)
  })

  it("rebuilds a view the live projection builds next, batch by batch, with events added meanwhile", async () => {
    const appending = appendInterleaved()
    // Its view is swapped in while events still arrive (so it differs from the old one), then the
    // live projection goes on from its checkpoint.
    await rebuild(sql, conversions, { batchSize: 11 })
    await appending
    await catchUp()
    // A second rebuild, of the whole log: nothing differs from what the live projection built.
    const again = await rebuild(sql, conversions, { batchSize: 13 })
    expect(again).toMatchObject({ rows: ORDERS, added: 0, removed: 0, changed: 0 })
  })

  it("fails as a whole when a batch's write fails while the next is prepared, and the next rebuild starts over", async () => {
    const generation = await activeGeneration(sql, conversions.name)
    const live = await liveRows()
    let writes = 0
    const failing: Projection = {
      ...conversions,
      rebuilder: (g) => {
        const real = conversions.rebuilder!(g)
        return {
          prepare: (s, events) => real.prepare(s, events),
          write: async (tx, prepared) => {
            if (++writes === 3) throw new Error("write failed")
            await real.write(tx, prepared)
          }
        }
      }
    }
    await expect(rebuild(sql, failing, { batchSize: 7 })).rejects.toThrow("write failed")
    expect(writes).toBe(3)
    expect(await activeGeneration(sql, conversions.name)).toBe(generation)
    expect(await liveRows()).toEqual(live)
    const report = await rebuild(sql, conversions, { batchSize: 7 })
    expect(report).toMatchObject({ fromGeneration: generation, rows: ORDERS, added: 0, removed: 0, changed: 0 })
  })

  it("upserts a batch of more orders than a statement has bind parameters for (24 columns x 2,731 > 65,534)", async () => {
    const many = 2_800
    const normalized = (i: number) => streamOf(i)[0]!
    for (let i = 0; i < many; i += 400)
      await sql.begin((tx) =>
        appendStreams(
          tx,
          Array.from({ length: Math.min(400, many - i) }, (_, j) =>
            toStoreAppend(
              {
                streamId: `order-shop-bench:${1_000 + i + j}`,
                expectedVersion: "any",
                events: [normalized(1_000 + i + j)]
              },
              {}
            )
          )
        )
      )
    const report = await rebuild(sql, conversions, { batchSize: 5_000 })
    expect(report.rows).toBe(ORDERS + many)
    await catchUp()
    expect(await rebuild(sql, conversions)).toMatchObject({ rows: ORDERS + many, added: 0, removed: 0, changed: 0 })
  })
})
