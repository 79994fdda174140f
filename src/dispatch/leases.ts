// Dispatch leases (sql/0007_dispatch_leases.sql): a row per (order, target, kind) being sent now.
import { randomUUID } from "node:crypto"
import type { Queryable } from "../db/Db.js"

export const leaseKey = (orderKey: string, targetId: string, kind: string) => `${orderKey}|${targetId}|${kind}`

/**
 * Takes the lease (or an expired one); returns the holder token, or undefined when someone else has it.
 * `poolId` is the worker pool whose job takes it: releasing that pool (sql/0020) drops its leases.
 */
export const acquireLease = async (
  sql: Queryable,
  key: string,
  ttlMs: number,
  poolId?: string
): Promise<string | undefined> => {
  const holder = randomUUID()
  const rows = await sql<Array<{ holder: string }>>`
    insert into dispatch_leases (dispatch_key, holder, expires_at, pool_id)
    values (${key}, ${holder}, now() + ${`${ttlMs} milliseconds`}::interval, ${poolId ?? null})
    on conflict (dispatch_key) do update
      set holder = excluded.holder, expires_at = excluded.expires_at, pool_id = excluded.pool_id
      where dispatch_leases.expires_at < now()
    returning holder`
  return rows[0]?.holder === holder ? holder : undefined
}

export const releaseLease = async (sql: Queryable, key: string, holder: string) => {
  await sql`delete from dispatch_leases where dispatch_key = ${key} and holder = ${holder}`
}
