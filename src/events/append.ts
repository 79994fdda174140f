// Appending, in the caller's transaction (so ingest can group-commit many appends, and a job can
// append and enqueue at once). There is one append path: every event is inserted by the SQL function
// s2s_append_stream (sql/0010), called by s2s_append (EventStore.appendInTransaction), by
// s2s_record_deliveries (appendDeliveries, ingest's group commit) and by appendStreams here.
//
// Optimistic concurrency lives on event_streams: an exact expected version is a compare-and-set
// UPDATE, "no_stream" an INSERT ... ON CONFLICT DO NOTHING; zero rows touched is a conflict.
// UNIQUE(stream_id, stream_version) on events is the backstop. Never read a version and write it
// back blind.
import type { Queryable } from "../db/Db.js"

/** A stream version, "no_stream" (must not exist yet) or "any" (append after whatever is there). */
export type ExpectedVersion = number | "no_stream" | "any"

export interface EventToAppend {
  readonly eventId?: string | undefined
  readonly type: string
  readonly schemaVersion?: number | undefined
  readonly data: unknown
  readonly metadata?: Record<string, unknown> | undefined
}

export interface StreamAppend {
  readonly streamId: string
  readonly expectedVersion: ExpectedVersion
  readonly events: ReadonlyArray<EventToAppend>
}

export interface Job {
  readonly task: string
  readonly payload: unknown
  readonly jobKey?: string | undefined
  readonly runAt?: Date | undefined
  readonly maxAttempts?: number | undefined
  readonly queueName?: string | undefined
  readonly priority?: number | undefined
}

export type AppendOutcome =
  | {
      readonly _tag: "Appended"
      readonly streamId: string
      readonly fromVersion: number
      readonly toVersion: number
      readonly positions: ReadonlyArray<number>
    }
  | { readonly _tag: "AlreadyAppended"; readonly streamId: string }
  | {
      readonly _tag: "Conflict"
      readonly streamId: string
      readonly expectedVersion: ExpectedVersion
      readonly actualVersion: number
    }

/**
 * Appends to several streams in the caller's transaction, one statement: each stream through
 * s2s_append_stream (sql/0010, the one append path), in stream id order. Conflicting appends are
 * skipped and reported; the others go through. An append whose event ids are all stored in its
 * stream already was a retry and is reported AlreadyAppended.
 */
export const appendStreams = async (
  sql: Queryable,
  appends: ReadonlyArray<StreamAppend>
): Promise<ReadonlyArray<AppendOutcome>> => {
  const order = appends.map((_, i) => i).filter((i) => appends[i]!.events.length > 0)
  // Rows are locked in stream id order (ties keep call order), so concurrent multi-stream appends
  // cannot deadlock.
  order.sort((a, b) =>
    appends[a]!.streamId < appends[b]!.streamId ? -1 : appends[a]!.streamId > appends[b]!.streamId ? 1 : a - b
  )
  const payload = order.map((i) => {
    const a = appends[i]!
    return { s: a.streamId, e: String(a.expectedVersion), ev: a.events.map(wireEvent) }
  })
  const rows =
    payload.length === 0
      ? []
      : await sql<Array<{ r: { s: string; v?: number; p?: Array<number>; conflict?: number } }>>`
          select r from jsonb_array_elements(${sql.json(payload as never)}::jsonb) with ordinality as x(a, n),
            lateral s2s_append_stream(x.a->>'s', x.a->>'e', x.a->'ev') as r
          order by x.n`
  const outcomes: Array<AppendOutcome> = appends.map((a) => ({
    _tag: "Appended",
    streamId: a.streamId,
    fromVersion: 0,
    toVersion: 0,
    positions: []
  }))
  order.forEach((i, k) => {
    const a = appends[i]!
    const r = rows[k]!.r
    outcomes[i] =
      r.conflict !== undefined
        ? { _tag: "Conflict", streamId: a.streamId, expectedVersion: a.expectedVersion, actualVersion: r.conflict }
        : r.v === -1
          ? { _tag: "AlreadyAppended", streamId: a.streamId }
          : {
              _tag: "Appended",
              streamId: a.streamId,
              fromVersion: r.v! - a.events.length + 1,
              toVersion: r.v!,
              positions: (r.p ?? []).map(Number)
            }
  })
  return outcomes
}

/** An event as s2s_append_stream takes it. */
export const wireEvent = (e: EventToAppend) => ({
  ...(e.eventId ? { id: e.eventId } : {}),
  t: e.type,
  sv: e.schemaVersion ?? 1,
  d: e.data,
  m: e.metadata ?? {}
})

/** A webhook delivery: its received event, and how to make its duplicate when it is not the first. */
export interface DeliveryAppend {
  readonly streamId: string
  readonly received: EventToAppend
  /**
   * The redelivery's event: the received one under this type and schema version, without these data
   * keys (built by the database, so each raw body is sent once).
   */
  readonly duplicate: {
    readonly type: string
    readonly schemaVersion: number
    readonly dropKeys: ReadonlyArray<string>
  }
  /** Enqueued only when this delivery is the first of its webhook. */
  readonly job: Job
}

/**
 * Records webhook deliveries with one statement (s2s_record_deliveries, over s2s_append_stream): the
 * first delivery of a webhook creates its stream and gets its job; the others append a duplicate.
 * Per delivery, in the order given: true for the first delivery, false for a duplicate. The caller
 * sorts the deliveries by stream id (concurrent batches lock streams in the same order).
 */
export const appendDeliveries = async (
  sql: Queryable,
  deliveries: ReadonlyArray<DeliveryAppend>
): Promise<ReadonlyArray<boolean>> => {
  const payload = deliveries.map((d) => ({
    s: d.streamId,
    r: wireEvent(d.received),
    dt: d.duplicate.type,
    dsv: d.duplicate.schemaVersion,
    dx: d.duplicate.dropKeys,
    j: jobSpec(d.job)
  }))
  const [row] = await sql<Array<{ outcome: Array<boolean> }>>`
    select s2s_record_deliveries(${sql.json(payload as never)}::jsonb) as outcome`
  return row!.outcome
}

/** A job as graphile_worker.job_spec fields. */
export const jobSpec = (j: Job) => ({
  identifier: j.task,
  payload: j.payload,
  queue_name: j.queueName ?? null,
  run_at: j.runAt?.toISOString() ?? null,
  max_attempts: j.maxAttempts ?? null,
  job_key: j.jobKey ?? null,
  priority: j.priority ?? null,
  flags: null
})

/** Adds jobs with one graphile_worker.add_jobs call (one NOTIFY) in the caller's transaction. */
export const enqueueJobs = async (sql: Queryable, jobs: ReadonlyArray<Job>): Promise<void> => {
  if (jobs.length === 0) return
  await sql`select s2s_enqueue(${sql.json(jobs.map(jobSpec) as never)}::json)`
}
