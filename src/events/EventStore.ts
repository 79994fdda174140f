// The event store as an Effect service: appends typed events (encoded with the AppEvent union) with
// optimistic concurrency and their jobs in one transaction; reads decode back into AppEvent.
import { Context, Data, Effect, Layer } from "effect"
import { Db, type DbError, type Queryable } from "../db/Db.js"
import { type AppEvent, decodeEvent, type EventMetadata, encodeEvent } from "./Events.js"
import * as store from "./store.js"

export type { Checkpoint, ExpectedVersion, Job } from "./store.js"
export { START } from "./store.js"

export class WrongExpectedVersion extends Data.TaggedError("WrongExpectedVersion")<{
  readonly streamId: string
  readonly expectedVersion: store.ExpectedVersion
  readonly actualVersion: number
}> {
  override get message() {
    return `stream ${this.streamId} is at version ${this.actualVersion}, expected ${this.expectedVersion}`
  }
}

export interface RecordedEvent<E extends AppEvent = AppEvent> {
  readonly position: number
  readonly transactionId: string
  readonly streamId: string
  readonly version: number
  readonly eventId: string
  readonly event: E
  readonly metadata: EventMetadata
  readonly recordedAt: Date
}

export interface PendingAppend {
  readonly streamId: string
  readonly expectedVersion: store.ExpectedVersion
  readonly events: ReadonlyArray<AppEvent>
  /** Deterministic ids make a retried append idempotent. */
  readonly eventIds?: ReadonlyArray<string> | undefined
  /** This append's metadata, in place of the call's (a batch of many orders, each its correlation id). */
  readonly metadata?: EventMetadata | undefined
}

export interface AppendOptions {
  readonly metadata?: EventMetadata | undefined
  readonly jobs?: ReadonlyArray<store.Job> | undefined
}

export interface AppendResult {
  readonly streams: ReadonlyArray<{
    readonly streamId: string
    readonly version: number
    readonly positions: ReadonlyArray<number>
  }>
}

export const toStoreAppend = (append: PendingAppend, metadata: EventMetadata | undefined): store.StreamAppend => ({
  streamId: append.streamId,
  expectedVersion: append.expectedVersion,
  events: append.events.map((event, i) => {
    const { type, schemaVersion, data } = encodeEvent(event)
    return { eventId: append.eventIds?.[i], type, schemaVersion, data, metadata: append.metadata ?? metadata ?? {} }
  })
})

export const decodeStored = (e: store.StoredEvent): RecordedEvent => ({
  position: e.globalPosition,
  transactionId: e.transactionId,
  streamId: e.streamId,
  version: e.streamVersion,
  eventId: e.eventId,
  event: decodeEvent(e.type, e.schemaVersion, e.data),
  metadata: e.metadata as EventMetadata,
  recordedAt: e.recordedAt
})

/**
 * Appends to one or more streams and enqueues the jobs atomically, in one statement (the s2s_append
 * function: sql/0004_append.sql, over s2s_append_stream since sql/0010), inside the caller's transaction
 * when there is one. Any conflict rolls everything back (no events, no jobs) and rejects with SQLSTATE
 * S2C01, the conflict in its detail.
 */
export const appendInTransaction = async (
  tx: Queryable,
  appends: ReadonlyArray<PendingAppend>,
  options: AppendOptions = {}
): Promise<AppendResult> => {
  // Streams in id order: concurrent multi-stream appends lock them in the same order.
  const sorted = appends
    .map((a) => toStoreAppend(a, options.metadata))
    .filter((a) => a.events.length > 0)
    .sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0))
  const payload = sorted.map((a) => ({
    s: a.streamId,
    e: String(a.expectedVersion),
    ev: a.events.map(store.wireEvent)
  }))
  const jobs = (options.jobs ?? []).map(store.jobSpec)
  const rows = await tx<Array<{ result: Array<{ s: string; v: number; p: Array<number> | null }> }>>`
    select s2s_append(${tx.json(payload as never)}::jsonb, ${jobs.length === 0 ? null : (tx.json(jobs as never) as never)}::json) as result`
  return {
    streams: (rows[0]?.result ?? []).map((r) => ({ streamId: r.s, version: r.v, positions: (r.p ?? []).map(Number) }))
  }
}

export interface EventStoreService {
  readonly append: (
    streamId: string,
    expectedVersion: store.ExpectedVersion,
    events: ReadonlyArray<AppEvent>,
    options?: AppendOptions & { readonly eventIds?: ReadonlyArray<string> }
  ) => Effect.Effect<AppendResult, WrongExpectedVersion | DbError>
  readonly appendMany: (
    appends: ReadonlyArray<PendingAppend>,
    options?: AppendOptions
  ) => Effect.Effect<AppendResult, WrongExpectedVersion | DbError>
  readonly readStream: (streamId: string) => Effect.Effect<ReadonlyArray<RecordedEvent>, DbError>
  readonly readStreams: (streamIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<RecordedEvent>, DbError>
  readonly readAll: (
    after: store.Checkpoint,
    limit: number,
    options?: { readonly streamPrefix?: string }
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, DbError>
}

export class EventStore extends Context.Tag("app/EventStore")<EventStore, EventStoreService>() {}

export const makeEventStore = Effect.gen(function* () {
  const db = yield* Db
  // One statement: inside the caller's transaction when there is one (Db.withTransaction), so writes
  // that must commit with the events go in the same withTransaction.
  const appendMany: EventStoreService["appendMany"] = (appends, options) =>
    db
      .query("EventStore.append", (sql) => appendInTransaction(sql, appends, options))
      .pipe(
        // s2s_append raises S2C01 with the conflict in its detail (in a transaction, the whole of it rolls back).
        Effect.catchTag("QueryFailed", (error): Effect.Effect<never, WrongExpectedVersion | DbError> => {
          if (error.code !== "S2C01") return Effect.fail(error)
          const detail = JSON.parse((error.cause as { detail?: string }).detail ?? "{}") as {
            stream?: string
            expected?: string
            actual?: number
          }
          return Effect.fail(
            new WrongExpectedVersion({
              streamId: detail.stream ?? "",
              expectedVersion:
                detail.expected === "any" || detail.expected === "no_stream"
                  ? detail.expected
                  : Number(detail.expected),
              actualVersion: detail.actual ?? 0
            })
          )
        }),
        Effect.withSpan("EventStore.append")
      )
  return EventStore.of({
    append: (streamId, expectedVersion, events, options) =>
      appendMany([{ streamId, expectedVersion, events, eventIds: options?.eventIds }], options),
    appendMany,
    readStream: (streamId) =>
      db
        .query("EventStore.readStream", (sql) => store.readStream(sql, streamId))
        .pipe(Effect.map((es) => es.map(decodeStored))),
    readStreams: (streamIds) =>
      db
        .query("EventStore.readStreams", (sql) => store.readStreams(sql, streamIds))
        .pipe(Effect.map((es) => es.map(decodeStored))),
    readAll: (after, limit, options) =>
      db
        .query("EventStore.readAll", (sql) => store.readAll(sql, after, limit, options))
        .pipe(Effect.map((es) => es.map(decodeStored)))
  })
})

export const EventStoreLive = Layer.effect(EventStore, makeEventStore)
