// Waiting in tests: on a condition, never for a fixed time. The only module of test/ that may await a
// timer (test/support/sleeps.test.ts fails on any other); every wait here polls a condition and gives up
// after a bound, except `deliberatePause`, the named escape for the rare test whose subject is time itself.
import type postgres from "postgres"

const POLL_MS = 25

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls until `check` returns a value (not undefined), or fails after the timeout. */
export const eventually = async <A>(
  check: () => Promise<A | undefined> | A | undefined,
  timeoutMs = 15_000,
  what = "condition"
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await tick(POLL_MS)
  }
}

/** Polls until `check` is true; returns how long that took (ms). `describe` adds the state to the error. */
export const waitUntil = async (
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
  describe?: () => Promise<string> | string
): Promise<number> => {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: not within ${timeoutMs} ms${describe ? `; ${await describe()}` : ""}`)
    await tick(POLL_MS)
  }
}

/**
 * Waits until graphile-worker has nothing left to do now: no job locked by a worker, and none due that
 * a worker could still take (not failed for good). A task commits the jobs it adds before its own job
 * is removed, so once this holds (and nothing arrives from outside) every effect of the work so far has
 * happened: "nothing more was sent" can be asserted without waiting a guessed time. Jobs scheduled for
 * later (a retry in 30 s) are not due and do not count. `owner` needs the graphile_worker schema.
 */
export const jobsSettled = (owner: postgres.Sql, timeoutMs = 20_000) =>
  waitUntil(
    "graphile-worker settled (no job running or due)",
    async () => {
      const [row] = await owner<Array<{ n: number }>>`
        select count(*)::int as n from graphile_worker._private_jobs
        where locked_at is not null or (run_at <= now() and attempts < max_attempts)`
      return row?.n === 0
    },
    timeoutMs,
    async () =>
      JSON.stringify(
        await owner`
          select t.identifier, j.run_at, j.attempts, j.max_attempts, j.locked_at, j.last_error
          from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
          order by j.id limit 10`
      )
  )

/** Waits until a session of this database waits for a lock of `locktype` (another one holds it). */
export const lockAwaited = (sql: postgres.Sql, locktype = "advisory", timeoutMs = 15_000) =>
  waitUntil(
    `a session waiting for an ${locktype} lock`,
    async () => {
      const [row] = await sql<Array<{ n: number }>>`
        select count(*)::int as n from pg_locks
        where locktype = ${locktype} and not granted
          and database = (select oid from pg_database where datname = current_database())`
      return (row?.n ?? 0) > 0
    },
    timeoutMs
  )

/** The reasons a test may let time pass on purpose; add one only when no condition can be awaited. */
export type PauseReason =
  /** The assertion is that something does NOT happen within a window (a scheduled time, a timeout). */
  | "nothing-happens-within"
  /** Paced load or a client's backoff: the spacing in time is the thing being simulated. */
  | "pacing"

/**
 * Lets `ms` pass on purpose: the one escape from "wait on a condition". The reason is named, so a
 * reader (and the scan of test/support/sleeps.test.ts) can tell it from a guessed settle time.
 */
export const deliberatePause = (ms: number, _reason: PauseReason): Promise<void> => tick(ms)
