// Dispatch leases (src/dispatch/leases.ts): one holder per (order, target, kind) at a time. A try to
// take a lease whose outcome is unknown (the connection lost after the insert committed) is retried
// with the same holder token, and must then find the lease its own: another token would see it held
// and wait out its TTL (75 s for a 10 s target), leaving the dispatch pending all that time.
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { acquireLease, acquireLeases, newHolder, releaseLease } from "../../src/dispatch/leases.js"
import { appSql, freshDatabase } from "../support/db.js"

let sql: Sql
beforeAll(async () => {
  sql = appSql(await freshDatabase())
})

const TTL = 60_000
const request = (key: string, holder = newHolder()) => ({ key, ttlMs: TTL, pool: "pool-test", holder })

describe("dispatch leases", () => {
  it("are held by one holder; the same holder trying again gets its own lease back", async () => {
    const mine = newHolder()
    expect(await acquireLeases(sql, [request("o:1|meta|conversion", mine)])).toEqual([mine])
    // Another run cannot take it, alone or in a batch.
    expect(await acquireLease(sql, "o:1|meta|conversion", TTL)).toBeUndefined()
    expect(await acquireLeases(sql, [request("o:1|meta|conversion")])).toEqual([undefined])
    // The run whose batched statement failed after it committed tries alone with its token.
    expect(await acquireLease(sql, "o:1|meta|conversion", TTL, "pool-test", mine)).toBe(mine)
    const [row] = await sql<Array<{ holder: string }>>`
      select holder from dispatch_leases where dispatch_key = 'o:1|meta|conversion'`
    expect(row?.holder).toBe(mine)
    await releaseLease(sql, "o:1|meta|conversion", mine)
    expect(await acquireLease(sql, "o:1|meta|conversion", TTL)).toBeDefined()
  })

  it("gives a key asked twice in one batch to its first request only, and an expired lease to a new holder", async () => {
    const [first, second] = [newHolder(), newHolder()]
    expect(
      await acquireLeases(sql, [request("o:2|awin|conversion", first), request("o:2|awin|conversion", second)])
    ).toEqual([first, undefined])
    await sql`update dispatch_leases set expires_at = now() - interval '1 second' where dispatch_key = 'o:2|awin|conversion'`
    const next = newHolder()
    expect(await acquireLease(sql, "o:2|awin|conversion", TTL, "pool-test", next)).toBe(next)
    // The first holder's lease is gone: its token no longer takes it.
    expect(await acquireLease(sql, "o:2|awin|conversion", TTL, "pool-test", first)).toBeUndefined()
  })
})
