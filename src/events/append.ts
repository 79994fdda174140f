// Appending, in the caller's transaction (so ingest can group-commit many appends, and a job can
// append and enqueue at once).
//
// Optimistic concurrency lives on event_streams: an exact expected version is a compare-and-set
// UPDATE, "no_stream" an INSERT ... ON CONFLICT DO NOTHING; zero rows touched is a conflict, reported
// as a value so the surrounding transaction stays usable. UNIQUE(stream_id, stream_version) on events
// is the backstop. Never read a version and write it back blind.
import { randomUUID } from "node:crypto"
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
 * Appends to several streams in the caller's transaction: one statement per expectation kind, one
 * INSERT for all events. Conflicting appends are skipped and reported; the others go through.
 * Several appends to the same stream in one call must all be "any".
 */
export const appendStreams = async (
  sql: Queryable,
  appends: ReadonlyArray<StreamAppend>
): Promise<ReadonlyArray<AppendOutcome>> => {
  const outcomes: Array<AppendOutcome | undefined> = new Array(appends.length)
  const starts = new Array<number>(appends.length)

  const fresh: Array<number> = []
  const exact: Array<number> = []
  const any: Array<number> = []
  appends.forEach((a, i) => {
    if (a.events.length === 0) {
      outcomes[i] = { _tag: "Appended", streamId: a.streamId, fromVersion: 0, toVersion: 0, positions: [] }
    } else if (a.expectedVersion === "any") any.push(i)
    else if (a.expectedVersion === "no_stream" || a.expectedVersion === 0) fresh.push(i)
    else exact.push(i)
  })

  // Rows are locked in stream id order, so concurrent multi-stream appends cannot deadlock.
  const byStream = (a: number, b: number) =>
    appends[a]!.streamId < appends[b]!.streamId ? -1 : appends[a]!.streamId > appends[b]!.streamId ? 1 : a - b
  fresh.sort(byStream)
  exact.sort(byStream)
  any.sort(byStream)

  if (fresh.length > 0) {
    const rows = await sql<Array<{ stream_id: string }>>`
      insert into event_streams (stream_id, version)
      select * from unnest(${fresh.map((i) => appends[i]!.streamId)}::text[], ${fresh.map((i) => appends[i]!.events.length)}::bigint[])
      on conflict (stream_id) do nothing
      returning stream_id`
    const won = new Set(rows.map((r) => r.stream_id))
    for (const i of fresh) {
      // Two "no_stream" appends to one stream in the same call: only the first can win.
      if (won.delete(appends[i]!.streamId)) starts[i] = 1
      else
        outcomes[i] = {
          _tag: "Conflict",
          streamId: appends[i]!.streamId,
          expectedVersion: appends[i]!.expectedVersion,
          actualVersion: -1
        }
    }
  }

  if (exact.length > 0) {
    const rows = await sql<Array<{ stream_id: string }>>`
      update event_streams s
      set version = v.expected + v.count, updated_at = now()
      from unnest(
        ${exact.map((i) => appends[i]!.streamId)}::text[],
        ${exact.map((i) => appends[i]!.expectedVersion as number)}::bigint[],
        ${exact.map((i) => appends[i]!.events.length)}::bigint[]
      ) as v(stream_id, expected, count)
      where s.stream_id = v.stream_id and s.version = v.expected
      returning s.stream_id`
    const won = new Set(rows.map((r) => r.stream_id))
    for (const i of exact) {
      if (won.has(appends[i]!.streamId)) starts[i] = (appends[i]!.expectedVersion as number) + 1
      else
        outcomes[i] = {
          _tag: "Conflict",
          streamId: appends[i]!.streamId,
          expectedVersion: appends[i]!.expectedVersion,
          actualVersion: -1
        }
    }
  }

  if (any.length > 0) {
    // Group per stream: one row per stream in the upsert, versions handed out in call order.
    const totals = new Map<string, number>()
    for (const i of any)
      totals.set(appends[i]!.streamId, (totals.get(appends[i]!.streamId) ?? 0) + appends[i]!.events.length)
    const ids = [...totals.keys()].sort()
    const rows = await sql<Array<{ stream_id: string; version: string }>>`
      insert into event_streams as s (stream_id, version)
      select * from unnest(${ids}::text[], ${ids.map((id) => totals.get(id)!)}::bigint[])
      on conflict (stream_id) do update set version = s.version + excluded.version, updated_at = now()
      returning s.stream_id, s.version`
    const next = new Map(rows.map((r) => [r.stream_id, Number(r.version) - totals.get(r.stream_id)! + 1]))
    for (const i of any) {
      const id = appends[i]!.streamId
      const start = next.get(id)!
      starts[i] = start
      next.set(id, start + appends[i]!.events.length)
    }
  }

  const conflicts = appends.flatMap((_, i) => (outcomes[i]?._tag === "Conflict" ? [i] : []))
  if (conflicts.length > 0) await resolveConflicts(sql, appends, conflicts, outcomes)

  const rows: Array<Record<string, unknown>> = []
  const owners: Array<number> = []
  appends.forEach((a, i) => {
    if (outcomes[i] !== undefined) return
    a.events.forEach((e, k) => {
      rows.push({
        s: a.streamId,
        v: starts[i]! + k,
        id: e.eventId ?? randomUUID(),
        t: e.type,
        sv: e.schemaVersion ?? 1,
        d: e.data,
        m: e.metadata ?? {}
      })
      owners.push(i)
    })
  })
  if (rows.length > 0) {
    const inserted = await sql<Array<{ global_position: string; stream_id: string; stream_version: string }>>`
      insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
      select e->>'s', (e->>'v')::bigint, (e->>'id')::uuid, e->>'t', (e->>'sv')::int, e->'d', e->'m'
      from jsonb_array_elements(${sql.json(rows as never)}::jsonb) with ordinality as x(e, n)
      order by x.n
      returning global_position, stream_id, stream_version`
    const positionOf = new Map(
      inserted.map((r) => [`${r.stream_id}\u0000${r.stream_version}`, Number(r.global_position)])
    )
    const positions = new Map<number, Array<number>>()
    rows.forEach((row, k) => {
      const owner = owners[k]!
      const list = positions.get(owner) ?? []
      list.push(positionOf.get(`${row.s as string}\u0000${row.v as number}`)!)
      positions.set(owner, list)
    })
    appends.forEach((a, i) => {
      if (outcomes[i] !== undefined) return
      outcomes[i] = {
        _tag: "Appended",
        streamId: a.streamId,
        fromVersion: starts[i]!,
        toVersion: starts[i]! + a.events.length - 1,
        positions: positions.get(i) ?? []
      }
    })
  }
  return outcomes as ReadonlyArray<AppendOutcome>
}

/** A conflicting append whose event ids are all stored already was a retry of a committed append. */
const resolveConflicts = async (
  sql: Queryable,
  appends: ReadonlyArray<StreamAppend>,
  conflicts: ReadonlyArray<number>,
  outcomes: Array<AppendOutcome | undefined>
) => {
  const ids = conflicts.flatMap((i) => appends[i]!.events.flatMap((e) => (e.eventId ? [e.eventId] : [])))
  const streams = conflicts.map((i) => appends[i]!.streamId)
  const [existing, versions] = await Promise.all([
    ids.length === 0
      ? Promise.resolve([] as Array<{ event_id: string }>)
      : sql<Array<{ event_id: string }>>`select event_id::text from events where event_id = any(${ids}::uuid[])`,
    sql<Array<{ stream_id: string; version: string }>>`
      select stream_id, version from event_streams where stream_id = any(${streams}::text[])`
  ])
  const stored = new Set(existing.map((r) => r.event_id))
  const actual = new Map(versions.map((r) => [r.stream_id, Number(r.version)]))
  for (const i of conflicts) {
    const a = appends[i]!
    const allStored = a.events.every((e) => e.eventId !== undefined && stored.has(e.eventId))
    outcomes[i] = allStored
      ? { _tag: "AlreadyAppended", streamId: a.streamId }
      : {
          _tag: "Conflict",
          streamId: a.streamId,
          expectedVersion: a.expectedVersion,
          actualVersion: actual.get(a.streamId) ?? 0
        }
  }
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
