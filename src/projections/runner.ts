// Batches of a projection, applied in one transaction with the checkpoint compare-and-set.
// One active runner per (projection, generation) across processes: a transaction-scoped advisory
// lock; a runner that cannot take it skips the round (another process is on it).
import { Data } from "effect"
import type { Queryable, Sql } from "../db/Db.js"
import { decodeStored } from "../events/EventStore.js"
import type { EventType } from "../events/Events.js"
import { type Lag, lagOf } from "../events/reads.js"
import { type Checkpoint, type StoredEvent, scanAll } from "../events/store.js"
import type { EventHeader, Projection } from "./Projection.js"

const headerOf = (e: StoredEvent): EventHeader => ({
  position: e.globalPosition,
  transactionId: e.transactionId,
  streamId: e.streamId,
  version: e.streamVersion,
  type: e.type as EventType,
  recordedAt: e.recordedAt
})

export type BatchResult =
  | { readonly _tag: "Locked" }
  | {
      readonly _tag: "Applied"
      readonly read: number
      readonly applied: number
      readonly checkpoint: Checkpoint
      /** More events wait right away: the page was full, or cut short by its byte cap. */
      readonly more?: boolean
    }

export class CheckpointMoved extends Data.TaggedError("CheckpointMoved")<{ readonly message: string }> {}

export const ensureRegistered = async (sql: Queryable, name: string) => {
  await sql`insert into projections (name) values (${name}) on conflict (name) do nothing`
  await sql`
    insert into projection_checkpoints (name, generation)
    select name, active_generation from projections where name = ${name}
    on conflict do nothing`
}

export const activeGeneration = async (sql: Queryable, name: string): Promise<number> => {
  const rows = await sql<
    Array<{ active_generation: number }>
  >`select active_generation from projections where name = ${name}`
  if (rows.length === 0) throw new Error(`unknown projection ${name}`)
  return rows[0]!.active_generation
}

const readCheckpoint = async (tx: Queryable, name: string, generation: number): Promise<Checkpoint> => {
  const rows = await tx<Array<{ last_xid: string; last_position: string }>>`
    select last_xid::text, last_position from projection_checkpoints where name = ${name} and generation = ${generation}`
  if (rows.length === 0) throw new Error(`projection ${name} has no checkpoint for generation ${generation}`)
  return { transactionId: rows[0]!.last_xid, position: Number(rows[0]!.last_position) }
}

/** A page of events read ahead, after `from` (a rebuild reads the next page while applying one). */
export interface Page {
  readonly from: Checkpoint
  readonly raw: ReadonlyArray<StoredEvent>
  /** How far the read scanned, when it was not cut short (see scanAll). */
  readonly scannedTo: Checkpoint | undefined
  /** Cut short by its byte cap: more events wait. */
  readonly cut: boolean
}

export const readPage = async (
  sql: Queryable,
  projection: Projection,
  from: Checkpoint,
  batchSize: number,
  maxBytes?: number
): Promise<Page> => {
  const scan = await scanAll(sql, from, batchSize, {
    types: [...projection.eventTypes],
    withData: projection.reads === "events",
    maxBytes
  })
  return { from, raw: scan.events, scannedTo: scan.scannedTo, cut: scan.cut === true }
}

export const after = (a: Checkpoint, b: Checkpoint) => {
  const [x, y] = [BigInt(a.transactionId), BigInt(b.transactionId)]
  return x > y || (x === y && a.position > b.position)
}

/**
 * Reads up to `batchSize` events after the checkpoint and applies them, within `tx`. A page read ahead
 * is used when it starts at the checkpoint; otherwise the page is read here. The checkpoint moves to
 * the last event applied, or, when the read was not cut short, to how far it scanned: events of other
 * types are passed over, so a projection that has seen everything up to X has its checkpoint at X.
 */
export const applyBatch = async (
  tx: Queryable,
  projection: Projection,
  generation: number,
  batchSize: number,
  ahead?: Page,
  maxBytes?: number
): Promise<BatchResult> => {
  if (!(await tryLock(tx, projection, generation))) return { _tag: "Locked" }
  const from = await readCheckpoint(tx, projection.name, generation)
  const page =
    ahead && sameCheckpoint(ahead.from, from) ? ahead : await readPage(tx, projection, from, batchSize, maxBytes)
  return commitPage(tx, projection, generation, batchSize, page, async (raw) => {
    if (projection.reads === "events") await projection.apply(tx, generation, raw.map(decodeStored))
    else await projection.apply(tx, generation, raw.map(headerOf))
  })
}

/**
 * Writes a page whose writes were prepared beforehand (a rebuild's Rebuilder), within `tx`, as
 * applyBatch would have applied it: the page must start at the checkpoint (CheckpointMoved otherwise).
 */
export const applyPrepared = async (
  tx: Queryable,
  projection: Projection,
  generation: number,
  batchSize: number,
  page: Page,
  write: () => Promise<void>
): Promise<BatchResult> => {
  if (!(await tryLock(tx, projection, generation))) return { _tag: "Locked" }
  const from = await readCheckpoint(tx, projection.name, generation)
  if (!sameCheckpoint(page.from, from))
    throw new CheckpointMoved({ message: `checkpoint of ${projection.name}/${generation} moved concurrently` })
  return commitPage(tx, projection, generation, batchSize, page, write)
}

const tryLock = async (tx: Queryable, projection: Projection, generation: number) => {
  const [lock] = await tx<Array<{ locked: boolean }>>`
    select pg_try_advisory_xact_lock(hashtext(${`projection:${projection.name}`}), ${generation}) as locked`
  return lock?.locked === true
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) =>
  a.transactionId === b.transactionId && a.position === b.position

/** Applies a page read from its `from` (the checkpoint) and moves the checkpoint, compare-and-set. */
const commitPage = async (
  tx: Queryable,
  projection: Projection,
  generation: number,
  batchSize: number,
  page: Page,
  apply: (raw: ReadonlyArray<StoredEvent>) => Promise<void>
): Promise<BatchResult> => {
  const { from, raw } = page
  const last = raw.at(-1)
  let to: Checkpoint = last ? { transactionId: last.transactionId, position: last.globalPosition } : from
  if (raw.length < batchSize && page.scannedTo && after(page.scannedTo, to)) to = page.scannedTo
  if (to === from) return { _tag: "Applied", read: 0, applied: 0, checkpoint: from }
  if (raw.length > 0) await apply(raw)
  const moved = await tx`
    update projection_checkpoints
    set last_xid = ${to.transactionId}::xid8, last_position = ${to.position},
        events_applied = events_applied + ${raw.length}, updated_at = now()
    where name = ${projection.name} and generation = ${generation}
      and last_xid = ${from.transactionId}::xid8 and last_position = ${from.position}`
  if (moved.count !== 1)
    throw new CheckpointMoved({ message: `checkpoint of ${projection.name}/${generation} moved concurrently` })
  return {
    _tag: "Applied",
    read: raw.length,
    applied: raw.length,
    checkpoint: to,
    more: raw.length >= batchSize || page.cut
  }
}

export const runBatch = (sql: Sql, projection: Projection, generation: number, batchSize: number, maxBytes?: number) =>
  sql.begin((tx) => applyBatch(tx, projection, generation, batchSize, undefined, maxBytes)) as Promise<BatchResult>

/** Events not yet applied (approximate count) and the age of the oldest one, for /metrics. */
export const lag = async (sql: Queryable, name: string, generation: number): Promise<Lag> => {
  const [l] = await lagOf(sql, [await readCheckpoint(sql, name, generation)])
  return l!
}

export interface ProjectionLag extends Lag {
  readonly projection: string
}

/** lag() of every registered projection's live generation (for /metrics at scrape time). */
export const lagAll = async (sql: Queryable): Promise<ReadonlyArray<ProjectionLag>> => {
  const live = await sql<Array<{ name: string; last_xid: string; last_position: string }>>`
    select p.name, c.last_xid::text, c.last_position
    from projections p
    join projection_checkpoints c on c.name = p.name and c.generation = p.active_generation
    order by p.name`
  const lags = await lagOf(
    sql,
    live.map((r) => ({ transactionId: r.last_xid, position: Number(r.last_position) }))
  )
  return live.map((r, i) => ({ projection: r.name, ...lags[i]! }))
}
