// Blue-green rebuild: a fresh generation is filled from position zero beside the live one (which
// keeps serving reads and applying new events), then, in one transaction that catches up the last
// events, active_generation flips to it. Readers see the old view or the new one, never a mix.
// The report says how the new view differs from the old one; the old rows are deleted afterwards.
import { Data, Effect, Predicate } from "effect"
import { type DbError, type DbService, type Queryable, type Sql, toDbError } from "../db/Db.js"
import { decodeStored, type RecordedEvent } from "../events/EventStore.js"
import { countOfTypes } from "../events/reads.js"
import { checkpointOf, START } from "../events/store.js"
import type { Projection, Rebuilder } from "./Projection.js"
import { applyBatch, applyPrepared, ensureRegistered, type Page, readPage } from "./runner.js"

export interface RebuildProgress {
  readonly done: number
  readonly total: number
}

export interface RebuildReport {
  readonly projection: string
  readonly fromGeneration: number
  readonly toGeneration: number
  readonly events: number
  readonly rows: number
  readonly added: number
  readonly removed: number
  readonly changed: number
  /** Keys of a few rows that differ, for a look with `orders show`. */
  readonly samples: ReadonlyArray<{ readonly key: string; readonly change: "added" | "removed" | "changed" }>
  readonly durationMs: number
}

/** Another rebuild of the projection holds its lock, or its new generation is written elsewhere. */
export class RebuildInProgress extends Data.TaggedError("RebuildInProgress")<{ readonly message: string }> {}

const BATCH = 5_000

export const rebuild = async (
  pool: Sql,
  projection: Projection,
  options: { readonly onProgress?: (p: RebuildProgress) => void; readonly batchSize?: number } = {}
): Promise<RebuildReport> => {
  const started = performance.now()
  const batchSize = options.batchSize ?? BATCH
  await ensureRegistered(pool, projection.name)
  // A session lock for the whole rebuild, on a reserved connection: one rebuild per projection.
  const session = await pool.reserve()
  try {
    const [lock] = await session<Array<{ ok: boolean }>>`
      select pg_try_advisory_lock(hashtext(${`rebuild:${projection.name}`})) as ok`
    if (!lock?.ok) throw new RebuildInProgress({ message: `a rebuild of ${projection.name} is already running` })
    try {
      return await rebuildLocked(pool, projection, batchSize, started, options.onProgress)
    } finally {
      await session`select pg_advisory_unlock(hashtext(${`rebuild:${projection.name}`}))`
    }
  } finally {
    session.release()
  }
}

const rebuildLocked = async (
  pool: Sql,
  projection: Projection,
  batchSize: number,
  started: number,
  onProgress: ((p: RebuildProgress) => void) | undefined
): Promise<RebuildReport> => {
  const { name, table, keyColumn } = projection
  const { from, to } = await pool.begin(async (tx) => {
    const [row] = await tx<Array<{ active_generation: number; rebuilding_generation: number | null }>>`
      select active_generation, rebuilding_generation from projections where name = ${name} for update`
    const from = row!.active_generation
    const to = Math.max(from, row!.rebuilding_generation ?? 0) + 1
    // Leftovers of an interrupted rebuild are discarded.
    if (row!.rebuilding_generation !== null) await clearGeneration(tx, projection, row!.rebuilding_generation)
    await clearGeneration(tx, projection, to)
    await tx`update projections set rebuilding_generation = ${to}, updated_at = now() where name = ${name}`
    await tx`
      insert into projection_checkpoints (name, generation) values (${name}, ${to})
      on conflict (name, generation) do update set last_xid = '0'::xid8, last_position = 0, events_applied = 0`
    return { from, to }
  })
  const types = [...projection.eventTypes]
  const total = await countOfTypes(pool, types)
  let done = 0
  const progress = (applied: number) => {
    done += applied
    onProgress?.({ done, total: Math.max(total, done) })
  }
  const rebuilder = projection.reads === "events" ? projection.rebuilder?.(to) : undefined
  if (rebuilder === undefined) await applyAll(pool, projection, to, batchSize, progress)
  else await applyPipelined(pool, projection, to, batchSize, rebuilder, progress)
  // Swap only once the new generation has reached the live one's checkpoint: the xmin rule may hold
  // reads back while a transaction anywhere in the cluster is open, and a swap must never go back.
  for (;;) {
    const swapped = await pool.begin(async (tx) => {
      for (;;) {
        const result = await applyBatch(tx, projection, to, batchSize)
        if (result._tag === "Locked") throw locked(projection, to)
        done += result.applied
        if (result.read < batchSize) break
      }
      const [behind] = await tx<Array<{ behind: boolean }>>`
        select (n.last_xid, n.last_position) < (o.last_xid, o.last_position) as behind
        from projection_checkpoints n, projection_checkpoints o
        where n.name = ${name} and n.generation = ${to} and o.name = ${name} and o.generation = ${from}`
      if (behind?.behind) return false
      await tx`
        update projections set active_generation = ${to}, rebuilding_generation = null, updated_at = now()
        where name = ${name}`
      return true
    })
    if (swapped) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  onProgress?.({ done, total: Math.max(total, done) })

  const diff = await pool<Array<{ key: string; change: "added" | "removed" | "changed" }>>`
    select coalesce(n.k, o.k) as key,
           case when o.k is null then 'added' when n.k is null then 'removed' else 'changed' end as change
    from (select ${pool(keyColumn)}::text as k, to_jsonb(t) - 'generation' as doc from ${pool(table)} t where generation = ${from}) o
    full join (select ${pool(keyColumn)}::text as k, to_jsonb(t) - 'generation' as doc from ${pool(table)} t where generation = ${to}) n
      on o.k = n.k
    where o.k is null or n.k is null or o.doc <> n.doc
    order by coalesce(n.k, o.k) collate "C"`
  const [rows] = await pool<Array<{ n: string }>>`select count(*) as n from ${pool(table)} where generation = ${to}`
  // Wait for a live batch still writing the old generation (it holds that generation's lock), then
  // drop its rows and checkpoint together; a later batch for it finds no checkpoint and moves on.
  await pool.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`projection:${name}`}), ${from})`
    await clearGeneration(tx, projection, from)
    await tx`delete from projection_checkpoints where name = ${name} and generation = ${from}`
  })
  return {
    projection: name,
    fromGeneration: from,
    toGeneration: to,
    events: done,
    rows: Number(rows?.n ?? 0),
    added: diff.filter((d) => d.change === "added").length,
    removed: diff.filter((d) => d.change === "removed").length,
    changed: diff.filter((d) => d.change === "changed").length,
    samples: diff.slice(0, 10),
    durationMs: Math.round(performance.now() - started)
  }
}

const locked = (projection: Projection, generation: number) =>
  new RebuildInProgress({ message: `generation ${generation} of ${projection.name} is being written elsewhere` })

/** The pages from the start, applied one after the other; the next page is read while one is applied. */
const applyAll = async (
  pool: Sql,
  projection: Projection,
  to: number,
  batchSize: number,
  progress: (applied: number) => void
) => {
  let page = await readPage(pool, projection, START, batchSize)
  for (;;) {
    const next = readAhead(pool, projection, page, batchSize)
    const current = page
    const result = await pool.begin((tx) => applyBatch(tx, projection, to, batchSize, current))
    if (result._tag === "Locked") throw locked(projection, to)
    progress(result.applied)
    if (next === undefined) return
    page = await next
  }
}

/**
 * The pages from the start in three stages that overlap: page N+2 is read and page N+1 decoded and
 * prepared (rebuilder.prepare: its computation, and its reads of rows batches up to N-1 committed)
 * while page N is written in its transaction. So this process computes while the database writes.
 */
const applyPipelined = async (
  pool: Sql,
  projection: Projection,
  to: number,
  batchSize: number,
  rebuilder: Rebuilder<unknown>,
  progress: (applied: number) => void
) => {
  const prepare = async (page: Page) => {
    // Decoded in slices, the event loop free in between: the write in flight is several statements,
    // and each waits for this process to send the next one.
    const events: Array<RecordedEvent> = []
    for (let i = 0; i < page.raw.length; i += SLICE) {
      for (const e of page.raw.slice(i, i + SLICE)) events.push(decodeStored(e))
      await yieldToLoop()
    }
    return rebuilder.prepare(pool, events)
  }
  let page = await readPage(pool, projection, START, batchSize)
  let next = readAhead(pool, projection, page, batchSize)
  let prepared = await prepare(page)
  for (;;) {
    const current = page
    const writes = prepared
    const following = next
    const writing = pool.begin((tx) =>
      applyPrepared(tx, projection, to, batchSize, current, () => rebuilder.write(tx, writes))
    )
    writing.catch(() => undefined) // awaited below, after the next page is prepared
    if (following !== undefined) {
      try {
        page = await following
        next = readAhead(pool, projection, page, batchSize)
        prepared = await prepare(page)
      } catch (error) {
        // The write in flight ends first (committed or not: the checkpoint says which).
        await writing.catch(() => undefined)
        throw error
      }
    }
    const result = await writing
    if (result._tag === "Locked") throw locked(projection, to)
    progress(result.applied)
    if (following === undefined) return
  }
}

/** Events decoded between two turns of the event loop (about 5-10 ms of work). */
const SLICE = 250

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** The page after `page` when `page` was full (read now, awaited later), or undefined at the end. */
const readAhead = (pool: Sql, projection: Projection, page: Page, batchSize: number) => {
  const last = page.raw.at(-1)
  if (page.raw.length < batchSize || last === undefined) return undefined
  const next = readPage(pool, projection, checkpointOf(last), batchSize)
  next.catch(() => undefined) // awaited later; if the batch before fails first, its failure is the one reported
  return next
}

const clearGeneration = async (sql: Queryable, projection: Projection, generation: number) => {
  await sql`delete from ${sql(projection.table)} where generation = ${generation}`
}

/** `rebuild` as an Effect, for the API and the CLI: RebuildInProgress, or the database's tagged error. */
export const rebuildProjection = (
  db: DbService,
  projection: Projection,
  options: { readonly onProgress?: (progress: RebuildProgress) => void } = {}
): Effect.Effect<RebuildReport, RebuildInProgress | DbError> =>
  Effect.tryPromise({
    try: () => rebuild(db.sql, projection, options),
    catch: (error) =>
      Predicate.isTagged(error, "RebuildInProgress")
        ? (error as RebuildInProgress)
        : toDbError(`Projections.rebuild ${projection.name}`, error)
  })
