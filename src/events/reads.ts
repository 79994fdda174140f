// The store's reads beyond streams and the global order (store.ts): what other stages ask of the log
// itself (an order's whole history, a category's streams, positions and lag, event counts). Plain
// postgres.js functions, like store.ts: they run on the pool or inside a caller's transaction.
import type { Queryable } from "../db/Db.js"
import { type Checkpoint, type EventRow, escapeLike, type StoredEvent, toStored } from "./store.js"
import { orderStream } from "./streams.js"

/**
 * Everything about an order, by global position: its own stream; every event of the webhook and alert
 * streams that name it (a webhook stream holds the delivery, its redeliveries and its normalization
 * records; an alert stream its delivery attempts); and, from any other stream, only the events that
 * carry its key, or list it in `orderKeys` (an operator action like an erasure covers many orders).
 * Found through the events_order_key and events_order_keys partial indexes, whose predicates the
 * query repeats so the planner can use them.
 */
export const readOrder = async (sql: Queryable, orderKey: string): Promise<ReadonlyArray<StoredEvent>> => {
  const rows = await sql<Array<EventRow>>`
    with naming as (
      select global_position, stream_id from events
      where data ? 'orderKey' and stream_id not like 'order-%' and (data->>'orderKey') = ${orderKey}
    ),
    whole as (
      select distinct stream_id from naming where stream_id like 'webhook-%' or stream_id like 'alert-%'
    ),
    positions as (
      select global_position from events where stream_id = ${orderStream(orderKey)}
      union
      select e.global_position from events e join whole w on e.stream_id = w.stream_id
      union
      select global_position from naming
      union
      select global_position from events
      where data ? 'orderKeys' and (data->'orderKeys') @> jsonb_build_array(${orderKey}::text)
    )
    select e.global_position, e.transaction_id::text, e.stream_id, e.stream_version, e.event_id::text, e.type,
           e.schema_version, e.data, e.metadata, e.recorded_at
    from events e join positions p on p.global_position = e.global_position
    order by e.global_position`
  return rows.map(toStored)
}

/**
 * Every event of the streams whose id starts with `prefix`, by global position. Direct, not
 * xmin-filtered: an append that just committed is visible to the next read in this process.
 */
export const readCategory = async (sql: Queryable, prefix: string): Promise<ReadonlyArray<StoredEvent>> =>
  (
    await sql<Array<EventRow>>`
      select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type,
             schema_version, data, metadata, recorded_at
      from events
      where stream_id in (select stream_id from event_streams where stream_id like ${`${escapeLike(prefix)}%`})
      order by global_position`
  ).map(toStored)

/** A value that changes whenever any stream starting with `prefix` gets an event (the sum of their versions). */
export const categoryFingerprint = async (sql: Queryable, prefix: string): Promise<string> => {
  const [row] = await sql<Array<{ v: string | null }>>`
    select sum(version)::text as v from event_streams where stream_id like ${`${escapeLike(prefix)}%`}`
  return row?.v ?? "0"
}

/** The last event of every stream starting with `prefix`. */
export const lastOfCategory = async (sql: Queryable, prefix: string): Promise<ReadonlyArray<StoredEvent>> =>
  (
    await sql<Array<EventRow>>`
      select distinct on (stream_id) global_position, transaction_id::text, stream_id, stream_version,
             event_id::text, type, schema_version, data, metadata, recorded_at
      from events
      where stream_id like ${`${escapeLike(prefix)}%`}
      order by stream_id, stream_version desc`
  ).map(toStored)

/** Which of these streams exist. */
export const existingStreams = async (sql: Queryable, streamIds: ReadonlyArray<string>): Promise<Set<string>> =>
  streamIds.length === 0
    ? new Set()
    : new Set(
        (
          await sql<Array<{ stream_id: string }>>`
            select stream_id from event_streams where stream_id = any(${streamIds as Array<string>}::text[])`
        ).map((r) => r.stream_id)
      )

/** The events with these ids (in no particular order). */
export const readEvents = async (
  sql: Queryable,
  eventIds: ReadonlyArray<string>
): Promise<ReadonlyArray<StoredEvent>> =>
  eventIds.length === 0
    ? []
    : (
        await sql<Array<EventRow>>`
          select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type,
                 schema_version, data, metadata, recorded_at
          from events where event_id = any(${eventIds as Array<string>}::uuid[])`
      ).map(toStored)

/** The metadata of the event at a global position (undefined when there is none). */
export const metadataAt = async (sql: Queryable, position: number): Promise<Record<string, unknown> | undefined> => {
  const [row] = await sql<Array<{ metadata: Record<string, unknown> }>>`
    select metadata from events where global_position = ${position}`
  return row?.metadata
}

/** The highest global position (0 for an empty log). */
export const headPosition = async (sql: Queryable): Promise<number> => {
  const [row] = await sql<Array<{ head: string | null }>>`select max(global_position) as head from events`
  return Number(row?.head ?? 0)
}

/** How many events of these types the log holds. */
export const countOfTypes = async (sql: Queryable, types: ReadonlyArray<string>): Promise<number> => {
  const [row] = await sql<Array<{ n: string }>>`
    select count(*) as n from events where type = any(${types as Array<string>}::text[])`
  return Number(row?.n ?? 0)
}

/** Events of these types per minute since `since` (minutes with none are left out). */
export const countPerMinute = (sql: Queryable, since: Date, types: ReadonlyArray<string>) =>
  sql<Array<{ minute: Date; type: string; n: number }>>`
    select date_trunc('minute', recorded_at) as minute, type, count(*)::int as n
    from events
    where recorded_at >= ${since} and type = any(${types as Array<string>}::text[])
    group by 1, 2`

export interface Lag {
  /** Events after the checkpoint (approximate: the head's position minus the checkpoint's). */
  readonly events: number
  /** Age of the first event after the checkpoint, on the database's clock (the one that stamped it). */
  readonly seconds: number
}

/** How far behind the head each checkpoint is, in one statement. */
export const lagOf = async (sql: Queryable, checkpoints: ReadonlyArray<Checkpoint>): Promise<ReadonlyArray<Lag>> => {
  if (checkpoints.length === 0) return []
  const rows = await sql<Array<{ behind: string | null; seconds: number | null }>>`
    select (select max(global_position) from events) - c.position as behind,
           extract(epoch from clock_timestamp() - (
             select recorded_at from events e
             where (e.transaction_id, e.global_position) > (c.xid, c.position)
             order by e.transaction_id, e.global_position limit 1))::float8 as seconds
    from unnest(${checkpoints.map((c) => c.transactionId)}::xid8[], ${checkpoints.map((c) => c.position)}::bigint[])
      with ordinality as c(xid, position, n)
    order by c.n`
  return rows.map((r) => ({ events: Math.max(0, Number(r.behind ?? 0)), seconds: Math.max(0, r.seconds ?? 0) }))
}
