// The projector's polling: a projection it has caught up reads only the readable horizon (one index
// read shared by the process's projections) until an event becomes readable, then applies it at the
// next poll; an event committed before an older transaction that is still open waits for it, and
// both are applied once it commits.
import { randomUUID } from "node:crypto"
import { ConfigProvider, Effect, Exit, Layer, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { Db, DbLive, type Queryable, type Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import type { EventHeader, Projection } from "../../src/projections/Projection.js"
import { Projections, ProjectorLive } from "../../src/projections/Projector.js"
import { onCleanup } from "../support/cleanup.js"
import { appSql, freshDatabase } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

let sql: Sql
let url: string
const seen: Array<EventHeader> = []
/** The projector's statements by operation name (Db.query), counted from the last reset. */
const counts = new Map<string, number>()

const note = (webhookId: string): AppEvent => ({ _tag: "RenormalizationRequested", webhookId, reason: "t", actor: "t" })
const stream = () => `webhook-${randomUUID()}`
const append = (tx: Queryable, streamId: string) =>
  appendStreams(tx, [toStoreAppend({ streamId, expectedVersion: "any", events: [note(streamId)] }, {})])
const seenStreams = () => new Set(seen.map((e) => e.streamId))

beforeAll(async () => {
  url = await freshDatabase()
  sql = appSql(url, 4)
  const recording: Projection = {
    name: `recording-${randomUUID().slice(0, 8)}`,
    eventTypes: new Set(["RenormalizationRequested"]),
    reads: "headers",
    table: "stream_summaries",
    keyColumn: "stream_id",
    apply: async (_tx, _generation, events) => {
      seen.push(...events)
    }
  }
  const counting = Layer.effect(
    Db,
    Effect.map(Db, (db) => ({
      ...db,
      query: <A>(operation: string, f: (sql: Queryable) => PromiseLike<A>) =>
        Effect.suspend(() => {
          counts.set(operation, (counts.get(operation) ?? 0) + 1)
          return db.query(operation, f)
        })
    }))
  ).pipe(Layer.provide(DbLive), Layer.provide(DatabaseFromUrl(url)))
  const layer = ProjectorLive.pipe(
    Layer.provide(Layer.succeed(Projections, [recording])),
    Layer.provide(counting),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["PROJECTION_POLL_MS", "20"]]))))
  )
  const scope = Effect.runSync(Scope.make())
  await Effect.runPromise(Layer.buildWithScope(layer, scope))
  onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
})

describe("the projector", () => {
  it("polls only the horizon while nothing new is readable, and applies a new event at the next poll", async () => {
    const first = stream()
    await sql.begin((tx) => append(tx, first))
    await waitUntil("the first event applied", () => seenStreams().has(first), 15_000)
    // Caught up: let it poll a while (about 0.4 s at 20 ms, well within the 5 s it trusts the horizon).
    counts.clear()
    await waitUntil("20 polls of the horizon", () => (counts.get("Projector.horizon") ?? 0) >= 20, 15_000)
    const idle = new Map(counts)
    expect(idle.get("Projector.batch") ?? 0).toBe(0)
    expect(idle.get("Projector.generation") ?? 0).toBe(0)

    const second = stream()
    await sql.begin((tx) => append(tx, second))
    await waitUntil("the second event applied", () => seenStreams().has(second), 15_000)
    expect(seen.filter((e) => e.streamId === second)).toHaveLength(1)
  })

  it("applies an event committed while an older transaction was open once that one commits, with it", async () => {
    const older = stream()
    const newer = stream()
    const pool = appSql(url, 2)
    const open = await pool.reserve()
    try {
      await open`begin`
      await append(open, older)
      // Committed after the open transaction started: readable only once it ends (the xmin horizon).
      await sql.begin((tx) => append(tx, newer))
      counts.clear()
      await waitUntil("10 polls of the horizon", () => (counts.get("Projector.horizon") ?? 0) >= 10, 15_000)
      expect(seenStreams().has(newer)).toBe(false)
      await open`commit`
    } finally {
      open.release()
    }
    await waitUntil("both events applied", () => seenStreams().has(older) && seenStreams().has(newer), 15_000)
    expect(seen.filter((e) => e.streamId === older || e.streamId === newer).map((e) => e.streamId)).toEqual([
      older,
      newer
    ])
  })
})
