// The EventStore service's append: one statement (s2s_append) with optimistic concurrency across
// several streams, jobs in the same statement, typed conflicts, idempotent retries.
import { randomUUID } from "node:crypto"
import { Effect, Either, type Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { EventStore } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { dbLayer, freshDatabase, ownerSql } from "../support/db.js"

let layer: Layer.Layer<EventStore>
let owner: Sql
beforeAll(async () => {
  const url = await freshDatabase()
  layer = dbLayer(url) as unknown as Layer.Layer<EventStore>
  owner = ownerSql(url)
})

const run = <A, E>(effect: Effect.Effect<A, E, EventStore>) =>
  Effect.runPromise(Effect.scoped(Effect.either(effect).pipe(Effect.provide(layer))))

const note = (webhookId: string): AppEvent => ({
  _tag: "RenormalizationRequested",
  webhookId,
  reason: "test",
  actor: "t"
})

describe("EventStore.appendMany", () => {
  it("appends to several streams with their jobs in one go, and decodes them back", async () => {
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`]
    const key = randomUUID()
    const result = await run(
      Effect.flatMap(EventStore, (s) =>
        s.appendMany(
          [
            { streamId: a, expectedVersion: "no_stream", events: [note("1"), note("2")] },
            { streamId: b, expectedVersion: "any", events: [note("3")] }
          ],
          { metadata: { actor: "test" }, jobs: [{ task: "noop", payload: {}, jobKey: key }] }
        )
      )
    )
    expect(Either.isRight(result)).toBe(true)
    const streams = Either.getOrThrow(result).streams
    expect(streams.find((s) => s.streamId === a)).toMatchObject({ version: 2 })
    expect(streams.find((s) => s.streamId === a)!.positions).toHaveLength(2)
    const read = Either.getOrThrow(await run(Effect.flatMap(EventStore, (s) => s.readStream(a))))
    expect(read.map((e) => [e.version, e.event._tag, e.metadata.actor])).toEqual([
      [1, "RenormalizationRequested", "test"],
      [2, "RenormalizationRequested", "test"]
    ])
    expect(Number((await owner`select count(*) from graphile_worker.jobs where key = ${key}`)[0]!.count)).toBe(1)
  })

  it("fails with a typed conflict and keeps nothing of any stream nor the jobs", async () => {
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`]
    await run(Effect.flatMap(EventStore, (s) => s.append(b, "no_stream", [note("x")])))
    const key = randomUUID()
    const result = await run(
      Effect.flatMap(EventStore, (s) =>
        s.appendMany(
          [
            { streamId: a, expectedVersion: "no_stream", events: [note("1")] },
            { streamId: b, expectedVersion: 5, events: [note("2")] }
          ],
          { jobs: [{ task: "noop", payload: {}, jobKey: key }] }
        )
      )
    )
    expect(Either.isLeft(result)).toBe(true)
    const error = (result as Either.Left<{ _tag: string; streamId: string; actualVersion: number }, unknown>).left
    expect(error).toMatchObject({ _tag: "WrongExpectedVersion", streamId: b, expectedVersion: 5, actualVersion: 1 })
    expect(Either.getOrThrow(await run(Effect.flatMap(EventStore, (s) => s.readStream(a))))).toHaveLength(0)
    expect(Number((await owner`select count(*) from graphile_worker.jobs where key = ${key}`)[0]!.count)).toBe(0)
  })

  it("treats a retry with the same event ids as done", async () => {
    const stream = `idem-${randomUUID()}`
    const ids = [randomUUID()]
    const append = Effect.flatMap(EventStore, (s) => s.append(stream, "no_stream", [note("1")], { eventIds: ids }))
    expect(Either.isRight(await run(append))).toBe(true)
    expect(Either.isRight(await run(append))).toBe(true)
    expect(Either.getOrThrow(await run(Effect.flatMap(EventStore, (s) => s.readStream(stream))))).toHaveLength(1)
  })

  const jobsOf = async (task: string) =>
    owner<Array<{ key: string | null }>>`select key from graphile_worker.jobs where task_identifier = ${task}`
  const events = async (stream: string) =>
    Either.getOrThrow(await run(Effect.flatMap(EventStore, (s) => s.readStream(stream))))

  it("does not enqueue the jobs of a retry again (with or without a job key)", async () => {
    const stream = `idem-jobs-${randomUUID()}`
    const task = `t-${randomUUID().slice(0, 8)}`
    const key = randomUUID()
    const ids = [randomUUID(), randomUUID()]
    const append = Effect.flatMap(EventStore, (s) =>
      s.append(stream, "no_stream", [note("1"), note("2")], {
        eventIds: ids,
        jobs: [
          { task, payload: {} },
          { task, payload: {}, jobKey: key }
        ]
      })
    )
    expect(Either.isRight(await run(append))).toBe(true)
    expect(await jobsOf(task)).toHaveLength(2)
    // The keyed job ran and was deleted; a retry must neither add a second unkeyed job nor bring it back.
    await owner`delete from graphile_worker._private_jobs where key = ${key}`
    const retry = await run(append)
    expect(Either.getOrThrow(retry).streams).toEqual([{ streamId: stream, version: -1, positions: [] }])
    expect((await jobsOf(task)).map((j) => j.key)).toEqual([null])
    expect(await events(stream)).toHaveLength(2)
  })

  it('treats a retry with expectedVersion "any" and the same event ids as done, jobs included', async () => {
    const stream = `idem-any-${randomUUID()}`
    const task = `t-${randomUUID().slice(0, 8)}`
    const ids = [randomUUID()]
    const append = Effect.flatMap(EventStore, (s) =>
      s.append(stream, "any", [note("1")], { eventIds: ids, jobs: [{ task, payload: {} }] })
    )
    expect(Either.isRight(await run(append))).toBe(true)
    const retry = await run(append)
    expect(Either.isRight(retry)).toBe(true)
    expect(Either.getOrThrow(retry).streams[0]).toMatchObject({ version: -1 })
    expect(await events(stream)).toHaveLength(1)
    expect(await jobsOf(task)).toHaveLength(1)
    // Concurrent identical appends: one appends, the others wait for it and find it done.
    const fresh = `idem-any-${randomUUID()}`
    const same = [randomUUID(), randomUUID()]
    const once = Effect.flatMap(EventStore, (s) => s.append(fresh, "any", [note("a"), note("b")], { eventIds: same }))
    await run(Effect.flatMap(EventStore, (s) => s.append(fresh, "any", [note("first")])))
    const results = await Promise.all(Array.from({ length: 4 }, () => run(once)))
    expect(results.every(Either.isRight)).toBe(true)
    expect((await events(fresh)).map((e) => e.eventId)).toEqual([expect.any(String), ...same])
  })

  it("does not take ids stored in another stream for a retry", async () => {
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`]
    const ids = [randomUUID()]
    await run(Effect.flatMap(EventStore, (s) => s.append(a, "no_stream", [note("1")], { eventIds: ids })))
    await run(Effect.flatMap(EventStore, (s) => s.append(b, "no_stream", [note("other")])))
    // b exists: a "no_stream" append to it with a's ids is a conflict, not a retry.
    const exact = await run(Effect.flatMap(EventStore, (s) => s.append(b, "no_stream", [note("1")], { eventIds: ids })))
    expect(Either.isLeft(exact)).toBe(true)
    expect((exact as Either.Left<{ _tag: string }, unknown>).left).toMatchObject({
      _tag: "WrongExpectedVersion",
      streamId: b,
      actualVersion: 1
    })
    // "any" with a's ids: refused with a clear error, nothing appended to b.
    const any = await run(Effect.flatMap(EventStore, (s) => s.append(b, "any", [note("1")], { eventIds: ids })))
    expect(Either.isLeft(any)).toBe(true)
    const error = (any as Either.Left<{ _tag: string; message: string }, unknown>).left
    expect(error._tag).toBe("QueryFailed")
    expect(error.message).toMatch(/S2C02.*stored already/)
    expect(await events(b)).toHaveLength(1)
    expect(await events(a)).toHaveLength(1)
  })
})
