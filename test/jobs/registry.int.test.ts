// The worker registry (sql/0008_workers.sql): heartbeats, the sweep that releases pools silent for too long (and
// pools killed before they ever registered) with their jobs and dispatch leases, and the listing.
import { randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { beat, listWorkers, releaseSilent, releaseWorker } from "../../src/jobs/registry.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"

let sql: Sql
let owner: Sql
beforeAll(async () => {
  const url = await freshDatabase()
  sql = appSql(url)
  owner = ownerSql(url)
})

/** A job locked by `pool` since `ago` (a crashed pool's job, as graphile-worker leaves it). */
const lockedJob = async (pool: string, ago: string) => {
  const [job] = await owner<Array<{ id: string }>>`
    select id from graphile_worker.add_job('registry-probe', json_build_object('n', ${randomUUID()}::text))`
  await owner`
    update graphile_worker._private_jobs set locked_by = ${pool}, locked_at = now() - ${ago}::interval
    where id = ${job!.id}`
  return job!.id
}

const lockOf = async (id: string) =>
  (
    await owner<
      Array<{ locked_by: string | null }>
    >`select locked_by from graphile_worker._private_jobs where id = ${id}`
  )[0]?.locked_by

const heartbeat = (id: string) => ({ id, hostname: "host-a", pid: 42, mode: "serve", lastJobAt: undefined, running: 0 })

describe("worker registry", () => {
  it("registers on the first beat, then only refreshes; a beat after being swept registers again (and says so)", async () => {
    const id = `pool-${randomUUID().slice(0, 8)}`
    expect(await beat(sql, heartbeat(id))).toBe(true)
    expect(await beat(sql, heartbeat(id))).toBe(false)
    const listed = (await listWorkers(sql)).find((w) => w.id === id)
    expect(listed).toMatchObject({ hostname: "host-a", pid: 42, mode: "serve", running: 0 })
    expect(listed!.silentSeconds).toBeLessThan(5)
    await releaseWorker(sql, id)
    expect((await listWorkers(sql)).some((w) => w.id === id)).toBe(false)
    expect(await beat(sql, heartbeat(id))).toBe(true)
  })

  it("releases a silent pool's jobs and leases, and a never-registered pool's old locks, but nothing live", async () => {
    const silent = `pool-silent-${randomUUID().slice(0, 8)}`
    const live = `pool-live-${randomUUID().slice(0, 8)}`
    const orphanOld = `pool-orphan-old-${randomUUID().slice(0, 8)}`
    const orphanNew = `pool-orphan-new-${randomUUID().slice(0, 8)}`
    await beat(sql, heartbeat(silent))
    await beat(sql, heartbeat(live))
    await owner`update workers set heartbeat_at = now() - interval '2 minutes' where id = ${silent}`
    const jobs = {
      silent: await lockedJob(silent, "2 minutes"),
      live: await lockedJob(live, "2 minutes"),
      orphanOld: await lockedJob(orphanOld, "2 minutes"),
      orphanNew: await lockedJob(orphanNew, "1 second")
    }
    await sql`insert into dispatch_leases (dispatch_key, holder, expires_at, pool_id)
              values (${`k-${silent}`}, 'h1', now() + interval '1 hour', ${silent}),
                     (${`k-${live}`}, 'h2', now() + interval '1 hour', ${live})`

    const released = await releaseSilent(sql, 30_000)
    expect(released.map((r) => r.workerId).sort()).toEqual([orphanOld, silent].sort())
    expect(released.find((r) => r.workerId === silent)).toMatchObject({ hostname: "host-a", pid: 42, jobs: 1 })
    expect(released.find((r) => r.workerId === orphanOld)).toMatchObject({ hostname: undefined, jobs: 1 })
    expect(await lockOf(jobs.silent)).toBeNull()
    expect(await lockOf(jobs.orphanOld)).toBeNull()
    expect(await lockOf(jobs.live)).toBe(live)
    expect(await lockOf(jobs.orphanNew)).toBe(orphanNew)
    const leases = await sql<Array<{ pool_id: string }>>`
      select pool_id from dispatch_leases where pool_id = any(${[silent, live]}::text[])`
    expect(leases.map((l) => l.pool_id)).toEqual([live])
    expect((await listWorkers(sql)).map((w) => w.id)).toContain(live)
    expect((await listWorkers(sql)).map((w) => w.id)).not.toContain(silent)
    // Nothing left to release: a second sweep finds nothing.
    expect(await releaseSilent(sql, 30_000)).toEqual([])
  })

  it("releases each silent pool once when several workers sweep at the same moment", async () => {
    const pools = Array.from({ length: 5 }, () => `pool-race-${randomUUID().slice(0, 8)}`)
    for (const p of pools) {
      await beat(sql, heartbeat(p))
      await lockedJob(p, "5 minutes")
    }
    await owner`update workers set heartbeat_at = now() - interval '5 minutes' where id = any(${pools}::text[])`
    const sweeps = await Promise.all(Array.from({ length: 4 }, () => releaseSilent(sql, 60_000)))
    const ids = sweeps.flat().map((r) => r.workerId)
    expect(ids.filter((id) => pools.includes(id)).sort()).toEqual([...pools].sort())
  })
})
