// The worker registry (sql/0008_workers.sql): each worker pool's heartbeat, the sweep that
// releases the jobs of pools silent for too long, and the listing of workers for operators.
import type { Queryable } from "../db/Db.js"

export interface Heartbeat {
  /** graphile-worker's pool id: what the pool's jobs are locked_by. */
  readonly id: string
  readonly hostname: string
  readonly pid: number
  readonly mode: string
  readonly lastJobAt: Date | undefined
  readonly running: number
}

/**
 * Records a heartbeat (registering the pool the first time). Returns false when the row was missing
 * although the pool had beaten before: a sweeper took it for dead and released its jobs.
 */
export const beat = async (sql: Queryable, h: Heartbeat): Promise<boolean> => {
  const rows = await sql<Array<{ inserted: boolean }>>`
    insert into workers (id, hostname, pid, mode, last_job_at, running)
    values (${h.id}, ${h.hostname}, ${h.pid}, ${h.mode}, ${h.lastJobAt ?? null}, ${h.running})
    on conflict (id) do update
      set heartbeat_at = now(), last_job_at = excluded.last_job_at, running = excluded.running
    returning (xmax = 0) as inserted`
  return rows[0]?.inserted === true
}

export interface Released {
  readonly workerId: string
  /** Undefined for a pool that never registered (killed before its first heartbeat). */
  readonly hostname: string | undefined
  readonly pid: number | undefined
  readonly silentSeconds: number
  /** Jobs the pool still held, now unlocked. */
  readonly jobs: number
}

/** Releases every pool silent for longer than `silentMs` (see the migration); returns what it released. */
export const releaseSilent = async (sql: Queryable, silentMs: number): Promise<ReadonlyArray<Released>> => {
  const rows = await sql<
    Array<{
      worker_id: string
      worker_hostname: string | null
      worker_pid: number | null
      silent_seconds: number
      jobs: string
    }>
  >`select * from s2s_release_silent_workers(${`${silentMs} milliseconds`}::interval)`
  return rows.map((r) => ({
    workerId: r.worker_id,
    hostname: r.worker_hostname ?? undefined,
    pid: r.worker_pid ?? undefined,
    silentSeconds: r.silent_seconds,
    jobs: Number(r.jobs)
  }))
}

/**
 * Releases a pool this process saw end (a clean stop, or a pool the database took down): its row goes
 * and whatever it still held is unlocked. Returns how many jobs that was.
 */
export const releaseWorker = async (sql: Queryable, id: string): Promise<number> => {
  const rows = await sql<Array<{ held: string }>>`select s2s_release_worker(${id}) as held`
  return Number(rows[0]?.held ?? 0)
}

export interface WorkerRow {
  readonly id: string
  readonly hostname: string
  readonly pid: number
  readonly mode: string
  readonly startedAt: Date
  readonly heartbeatAt: Date
  /** Seconds since the last heartbeat, on the database's clock. */
  readonly silentSeconds: number
  readonly lastJobAt: Date | undefined
  readonly running: number
}

/**
 * The registered workers with their last heartbeat, oldest first: the live ones and those silent for
 * less than the sweep's limit (older ones are released and gone). For operators (the console, the
 * s2s_workers metric).
 */
export const listWorkers = async (sql: Queryable): Promise<ReadonlyArray<WorkerRow>> => {
  const rows = await sql<
    Array<{
      id: string
      hostname: string
      pid: number
      mode: string
      started_at: Date
      heartbeat_at: Date
      silent_seconds: number
      last_job_at: Date | null
      running: number
    }>
  >`
    select id, hostname, pid, mode, started_at, heartbeat_at,
           extract(epoch from now() - heartbeat_at)::float8 as silent_seconds, last_job_at, running
    from workers order by started_at, id`
  return rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    pid: r.pid,
    mode: r.mode,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    silentSeconds: r.silent_seconds,
    lastJobAt: r.last_job_at ?? undefined,
    running: r.running
  }))
}
