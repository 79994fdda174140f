// /readyz and the /metrics scrape answer at their 3 s deadline when the database stops answering
// in the middle of their query (SIGSTOP to the backend: the connection stays open, nothing comes
// back, as in a partition or a frozen VM). Interrupting a query cancels it and waits until it ended
// (src/db/run.ts); the cancel request reaches the postmaster, but the stopped backend never ends the
// query, so a check that waited for that wait would hang for as long as the stall lasts. The fault
// suite's postgres-stall test showed it now and then, when the check's query was already on a
// pooled connection as the server stopped. Both checks, and the worker's release at shutdown, bound
// their query with withinDeadline (db/run.ts), tested here first.
import { Effect, Exit, Option } from "effect"
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type DbService, makeDbService, type Sql, withinDeadline } from "../../src/db/Db.js"
import { readiness } from "../../src/http/HealthHttp.js"
import { databaseUp, refreshDatabaseMetrics } from "../../src/http/metrics.js"
import { appSql, freshDatabase } from "../support/db.js"

let url: string
let pool: Sql
let db: DbService
const stopped: Array<number> = []

beforeAll(async () => {
  url = await freshDatabase()
})

// A pool per test. The interrupted query's cancel request reaches the stopped backend only after
// SIGCONT, and PostgreSQL may then apply it to whatever that backend runs next (a known race of
// cancel requests): on a shared pool it once cancelled the next test's first query (CI, 2026-12-07).
// A new pool has new backends, which that cancel cannot reach.
beforeEach(() => {
  // One connection, so the check's query goes out on the backend the test stops.
  pool = appSql(url, 1)
  db = makeDbService(pool, url)
})

afterEach(async () => {
  for (const pid of stopped.splice(0)) process.kill(pid, "SIGCONT")
  await pool.end({ timeout: 1 })
})

/** Stops the pool's one backend; it is sent SIGCONT after the test. */
const stopBackend = async () => {
  const [row] = await pool<Array<{ pid: number }>>`select pg_backend_pid() as pid`
  process.kill(row!.pid, "SIGSTOP")
  stopped.push(row!.pid)
}

/**
 * The contract (README, Operations): each check answers within its 3 s deadline. The bound allows 2 s
 * of slack for a busy machine; a check that waited for the cancelled query took 8 s here with one
 * backend stopped, and past 15 s with the whole server stopped (the fault suite).
 */
const DEADLINE_MS = 5_000

const timed = async <A>(run: () => Promise<A>) => {
  const started = performance.now()
  const result = await run()
  return { result, ms: performance.now() - started }
}

describe("health checks against a database that stopped answering mid-query", () => {
  it("withinDeadline fails with a TimeoutException at its deadline from a stopped backend", async () => {
    const probe = db.query("probe", (sql) => sql`select 1 as one`).pipe(withinDeadline("1 second"))
    expect(await Effect.runPromise(probe)).toEqual([{ one: 1 }])
    await stopBackend()
    const { result: exit, ms } = await timed(() => Effect.runPromiseExit(probe))
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("TimeoutException")
    expect(ms).toBeLessThan(DEADLINE_MS)
  }, 20_000)

  it("readiness fails with 'the database does not answer' at its deadline, not when the stall ends", async () => {
    const ready = readiness(db, Option.none(), 30_000)
    expect(Exit.isSuccess(await Effect.runPromiseExit(ready))).toBe(true)
    await stopBackend()
    const { result: exit, ms } = await timed(() => Effect.runPromiseExit(ready))
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("the database does not answer")
    expect(ms).toBeLessThan(DEADLINE_MS)
  }, 20_000)

  it("the metrics scrape reports the database down at its deadline, not when the stall ends", async () => {
    await Effect.runPromise(refreshDatabaseMetrics(db))
    expect((await databaseUp.get()).values[0]?.value).toBe(1)
    await stopBackend()
    const { ms } = await timed(() => Effect.runPromise(refreshDatabaseMetrics(db)))
    expect((await databaseUp.get()).values[0]?.value).toBe(0)
    expect(ms).toBeLessThan(DEADLINE_MS)
  }, 20_000)
})
