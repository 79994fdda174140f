// Dispatch leases (sql/0007_pipeline_state.sql): a row per (order, target, kind) being sent now.
import { randomUUID } from "node:crypto"
import type { Queryable } from "../db/Db.js"

export const leaseKey = (orderKey: string, targetId: string, kind: string) => `${orderKey}|${targetId}|${kind}`

/** A new holder token: one per dispatch run, kept across its tries to take the lease. */
export const newHolder = (): string => randomUUID()

/**
 * Takes the lease (or an expired one, or one `holder` already has); returns the holder token, or
 * undefined when someone else has it. A try whose outcome is unknown (the connection lost after the
 * insert committed) is retried with the same holder and finds the lease its own, instead of waiting
 * out the TTL. `poolId` is the worker pool whose job takes it: releasing that pool
 * (sql/0008_workers.sql) drops its leases.
 */
export const acquireLease = async (
  sql: Queryable,
  key: string,
  ttlMs: number,
  poolId?: string,
  holder: string = newHolder()
): Promise<string | undefined> => {
  const rows = await sql<Array<{ holder: string }>>`
    insert into dispatch_leases (dispatch_key, holder, expires_at, pool_id)
    values (${key}, ${holder}, now() + ${`${ttlMs} milliseconds`}::interval, ${poolId ?? null})
    on conflict (dispatch_key) do update
      set holder = excluded.holder, expires_at = excluded.expires_at, pool_id = excluded.pool_id
      where dispatch_leases.expires_at < now() or dispatch_leases.holder = excluded.holder
    returning holder`
  return rows[0]?.holder === holder ? holder : undefined
}

export const releaseLease = async (sql: Queryable, key: string, holder: string) => {
  await sql`delete from dispatch_leases where dispatch_key = ${key} and holder = ${holder}`
}

/**
 * Takes many leases in one statement, as acquireLease does each; per request, in order, the holder
 * token or undefined (held by someone else, or the same key asked twice in this batch: only its first
 * request gets it).
 */
export const acquireLeases = async (
  sql: Queryable,
  requests: ReadonlyArray<{
    readonly key: string
    readonly ttlMs: number
    readonly pool: string | undefined
    readonly holder: string
  }>
): Promise<ReadonlyArray<string | undefined>> => {
  const seen = new Set<string>()
  const asked = requests.map((r) => {
    if (seen.has(r.key)) return undefined
    seen.add(r.key)
    return { k: r.key, h: r.holder, t: r.ttlMs, p: r.pool ?? null }
  })
  const rows = await sql<Array<{ dispatch_key: string; holder: string }>>`
    insert into dispatch_leases (dispatch_key, holder, expires_at, pool_id)
    select a.k, a.h, now() + a.t * interval '1 millisecond', a.p
    from json_to_recordset(${sql.json(asked.filter((a) => a !== undefined) as never)}::json) as a(k text, h text, t float8, p text)
    order by a.k
    on conflict (dispatch_key) do update
      set holder = excluded.holder, expires_at = excluded.expires_at, pool_id = excluded.pool_id
      where dispatch_leases.expires_at < now() or dispatch_leases.holder = excluded.holder
    returning dispatch_key, holder`
  const won = new Map(rows.map((r) => [r.dispatch_key, r.holder]))
  return asked.map((a) => (a !== undefined && won.get(a.k) === a.h ? a.h : undefined))
}

/** Releases many leases (each only if still held by its holder) in one statement. */
export const releaseLeases = async (
  sql: Queryable,
  leases: ReadonlyArray<{ readonly key: string; readonly holder: string }>
) => {
  if (leases.length === 0) return
  await sql`
    delete from dispatch_leases l
    using json_to_recordset(${sql.json(leases.map((x) => ({ k: x.key, h: x.holder })) as never)}::json) as r(k text, h text)
    where l.dispatch_key = r.k and l.holder = r.h`
}
