// The workers the queue page lists. This is the one module that knows where they come from: today
// graphile-worker's own locks (a running job carries its worker's id and when it was taken, read
// through s2s_console_workers(), sql/0003_jobs.sql), so a worker shows while it runs something; an idle one
// does not. When the worker registry with heartbeats lands, this query reads it instead and nothing
// else changes.
import type { Queryable } from "../../db/Db.js"

export interface WorkerState {
  readonly workerId: string
  /** Jobs it holds right now. */
  readonly running: number
  readonly firstLockedAt: string | null
  /** The last sign of life: when it last took a job. */
  readonly lastSeenAt: string | null
}

export const WORKERS_SOURCE = "graphile-worker job locks: a worker shows while it runs a job"

export const listWorkers = async (sql: Queryable): Promise<ReadonlyArray<WorkerState>> => {
  const rows = await sql<
    Array<{ worker_id: string; running: string; first_locked_at: Date | null; last_locked_at: Date | null }>
  >`select worker_id, running, first_locked_at, last_locked_at from s2s_console_workers()`
  return rows.map((r) => ({
    workerId: r.worker_id,
    running: Number(r.running),
    firstLockedAt: r.first_locked_at?.toISOString() ?? null,
    lastSeenAt: r.last_locked_at?.toISOString() ?? null
  }))
}
