// The event store's SQL, as plain postgres.js functions that run on a pool or inside a caller's
// transaction: reading here, appending in append.ts (re-exported).
import type { Queryable } from "../db/Db.js"

export * from "./append.js"

export interface StoredEvent {
  readonly globalPosition: number
  readonly transactionId: string
  readonly streamId: string
  readonly streamVersion: number
  readonly eventId: string
  readonly type: string
  readonly schemaVersion: number
  readonly data: unknown
  readonly metadata: Record<string, unknown>
  readonly recordedAt: Date
}

export interface Checkpoint {
  readonly transactionId: string
  readonly position: number
}
export const START: Checkpoint = { transactionId: "0", position: 0 }

/** An events row as selected with the columns of EVENT_COLUMNS (ids as text, positions as text). */
export interface EventRow {
  global_position: string
  transaction_id: string
  stream_id: string
  stream_version: string
  event_id: string
  type: string
  schema_version: number
  data: unknown
  metadata: Record<string, unknown>
  recorded_at: Date
}

export const toStored = (r: EventRow): StoredEvent => ({
  globalPosition: Number(r.global_position),
  transactionId: r.transaction_id,
  streamId: r.stream_id,
  streamVersion: Number(r.stream_version),
  eventId: r.event_id,
  type: r.type,
  schemaVersion: r.schema_version,
  data: r.data,
  metadata: r.metadata,
  recordedAt: r.recorded_at
})

export const readStream = async (
  sql: Queryable,
  streamId: string,
  fromVersion = 1
): Promise<ReadonlyArray<StoredEvent>> =>
  (
    await sql<Array<EventRow>>`
      select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type,
             schema_version, data, metadata, recorded_at
      from events where stream_id = ${streamId} and stream_version >= ${fromVersion}
      order by stream_version`
  ).map(toStored)

export const readStreams = async (
  sql: Queryable,
  streamIds: ReadonlyArray<string>
): Promise<ReadonlyArray<StoredEvent>> =>
  streamIds.length === 0
    ? []
    : (
        await sql<Array<EventRow>>`
          select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type,
                 schema_version, data, metadata, recorded_at
          from events where stream_id = any(${streamIds as Array<string>}::text[])
          order by global_position`
      ).map(toStored)

export const streamVersion = async (sql: Queryable, streamId: string): Promise<number> => {
  const rows = await sql<Array<{ version: string }>>`select version from event_streams where stream_id = ${streamId}`
  return rows.length === 0 ? 0 : Number(rows[0]!.version)
}

/**
 * Events after `after` in commit-safe global order: only transactions older than every transaction
 * still in progress are read (so a slow commit is waited for, never skipped), ordered and compared
 * by (transaction_id, global_position).
 */
export const readAll = async (
  sql: Queryable,
  after: Checkpoint,
  limit: number,
  options: {
    streamPrefix?: string | undefined
    types?: ReadonlyArray<string> | undefined
    /** false: data and metadata are not read (they come back empty), for readers of headers only. */
    withData?: boolean | undefined
  } = {}
): Promise<ReadonlyArray<StoredEvent>> => {
  const prefix = options.streamPrefix
  const types = options.types
  const columns = options.withData === false ? sql`'{}'::jsonb as data, '{}'::jsonb as metadata` : sql`data, metadata`
  return (
    await sql<Array<EventRow>>`
      select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type,
             schema_version, ${columns}, recorded_at
      from events
      where (transaction_id, global_position) > (${after.transactionId}::xid8, ${after.position}::bigint)
        and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ${prefix === undefined ? sql`` : sql`and stream_id like ${`${escapeLike(prefix)}%`}`}
        ${types === undefined ? sql`` : sql`and type = any(${types as Array<string>}::text[])`}
      order by events.transaction_id, events.global_position
      limit ${limit}`
  ).map(toStored)
}

export interface Scan {
  readonly events: ReadonlyArray<StoredEvent>
  /**
   * When fewer than `limit` events came back, every event up to here (of any type) was scanned:
   * the last one below the horizon. A filtered reader's checkpoint may move here even though none
   * of those events were its types. Undefined when the page was full or the log is empty.
   */
  readonly scannedTo: Checkpoint | undefined
  /** True when a byte cap (scanAll's maxBytes) cut the page short: more events wait. */
  readonly cut?: boolean
}

/**
 * readAll, plus how far it scanned. The horizon (the last event of any type below xmin) and the page
 * come from one statement, so from one snapshot: an event of a wanted type below that horizon is
 * either in the page or was before `after`; one committed later is above it.
 */
export const scanAll = async (
  sql: Queryable,
  after: Checkpoint,
  limit: number,
  options: {
    types?: ReadonlyArray<string> | undefined
    withData?: boolean | undefined
    /**
     * Stops the page once its events' data (stored size, pg_column_size) passes this many bytes,
     * the first event always included: a page of 500 events of 1 MB each would be held in memory
     * whole. The page is then cut short, and scannedTo is undefined.
     */
    maxBytes?: number | undefined
  } = {}
): Promise<Scan> => {
  if (options.maxBytes !== undefined && options.withData !== false)
    return scanAllBounded(sql, after, limit, options.maxBytes, options.types)
  const types = options.types
  const columns =
    options.withData === false ? sql`'{}'::jsonb as data, '{}'::jsonb as metadata` : sql`e.data, e.metadata`
  const rows = await sql<Array<Omit<EventRow, "global_position"> & ScanColumns>>`
    with horizon as materialized (
      select transaction_id, global_position from events
      where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      order by transaction_id desc, global_position desc
      limit 1
    )
    select h.transaction_id::text as horizon_xid, h.global_position as horizon_position,
           p.xid::text as transaction_id, p.global_position, p.stream_id, p.stream_version, p.event_id::text,
           p.type, p.schema_version, p.data, p.metadata, p.recorded_at
    from horizon h
    left join lateral (
      select e.transaction_id as xid, e.global_position, e.stream_id, e.stream_version, e.event_id, e.type,
             e.schema_version, ${columns}, e.recorded_at
      from events e
      where (e.transaction_id, e.global_position) > (${after.transactionId}::xid8, ${after.position}::bigint)
        and e.transaction_id <= h.transaction_id
        ${types === undefined ? sql`` : sql`and e.type = any(${types as Array<string>}::text[])`}
      order by e.transaction_id, e.global_position
      limit ${limit}
    ) p on true
    order by p.xid, p.global_position`
  const first = rows[0]
  const events = rows.flatMap((r) => (r.global_position === null ? [] : [toStored(r as EventRow)]))
  return {
    events,
    scannedTo:
      first === undefined || events.length >= limit
        ? undefined
        : { transactionId: first.horizon_xid, position: Number(first.horizon_position) }
  }
}

/**
 * scanAll with a byte cap: the page's positions and data sizes first (no data), then the data of
 * the events that fit. Same snapshot and horizon as scanAll.
 */
const scanAllBounded = async (
  sql: Queryable,
  after: Checkpoint,
  limit: number,
  maxBytes: number,
  types: ReadonlyArray<string> | undefined
): Promise<Scan> => {
  const rows = await sql<Array<Omit<EventRow, "global_position"> & ScanColumns & { page_rows: string }>>`
    with horizon as materialized (
      select transaction_id, global_position from events
      where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      order by transaction_id desc, global_position desc
      limit 1
    ), page as materialized (
      select e.transaction_id as xid, e.global_position, pg_column_size(e.data) as size
      from events e, horizon h
      where (e.transaction_id, e.global_position) > (${after.transactionId}::xid8, ${after.position}::bigint)
        and e.transaction_id <= h.transaction_id
        ${types === undefined ? sql`` : sql`and e.type = any(${types as Array<string>}::text[])`}
      order by e.transaction_id, e.global_position
      limit ${limit}
    ), fitting as (
      select p.global_position from (
        select global_position, sum(size) over (order by xid, global_position) - size as before from page
      ) p
      where p.before < ${maxBytes}
    )
    select h.transaction_id::text as horizon_xid, h.global_position as horizon_position,
           (select count(*) from page) as page_rows,
           p.transaction_id::text as transaction_id, p.global_position, p.stream_id, p.stream_version,
           p.event_id::text, p.type, p.schema_version, p.data, p.metadata, p.recorded_at
    from horizon h
    left join lateral (
      select e.* from fitting f join events e on e.global_position = f.global_position
    ) p on true
    order by p.transaction_id, p.global_position`
  const first = rows[0]
  const events = rows.flatMap((r) => (r.global_position === null ? [] : [toStored(r as EventRow)]))
  const cut = events.length < Number(first?.page_rows ?? 0)
  return {
    events,
    cut,
    scannedTo:
      first === undefined || cut || events.length >= limit
        ? undefined
        : { transactionId: first.horizon_xid, position: Number(first.horizon_position) }
  }
}

interface ScanColumns {
  horizon_xid: string
  horizon_position: string
  global_position: string | null
}

/**
 * The last event a reader may read now (below the cluster's xmin horizon), or undefined when there is
 * none. Nothing new is readable while it stays where it was: an event becomes readable when the
 * oldest transaction still running ends, and every event that can do so was written by a transaction
 * at or above the old xmin, so its position is after this one. One index read (Projector.ts polls it).
 */
export const readableHorizon = async (sql: Queryable): Promise<Checkpoint | undefined> => {
  const [row] = await sql<Array<{ xid: string; global_position: string }>>`
    select transaction_id::text as xid, global_position from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by transaction_id desc, global_position desc
    limit 1`
  return row === undefined ? undefined : { transactionId: row.xid, position: Number(row.global_position) }
}

export const checkpointOf = (e: StoredEvent): Checkpoint => ({
  transactionId: e.transactionId,
  position: e.globalPosition
})

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)
