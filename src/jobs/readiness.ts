// Is this process's worker taking jobs? For /readyz: a database that answers is not enough when the
// worker pool beside it is gone or stuck while jobs wait (graphile-worker's pool can die under a
// database restart without anything else noticing; see pool.ts).
import type { Queryable } from "../db/Db.js"
import type { WorkerSnapshot } from "./WorkerStatus.js"

export interface WorkerReadiness {
  readonly state: string
  readonly pool?: string
  readonly lastJobSecondsAgo: number | null
  readonly heartbeatSecondsAgo: number | null
  readonly queuedJobs: number
  readonly oldestQueuedSeconds: number
}

export type WorkerVerdict =
  | { readonly _tag: "Ready"; readonly worker: WorkerReadiness }
  | { readonly _tag: "NotReady"; readonly reason: string }

/** Jobs ready to run now, and how long the oldest has waited (s2s_job_counts, sql/0003_jobs.sql). */
export const queuedJobs = async (sql: Queryable) => {
  const rows = await sql<Array<{ queued: string; oldest: number | null }>>`
    select coalesce(sum(queued), 0) as queued, max(oldest_queued_seconds) as oldest from s2s_job_counts()`
  return { queued: Number(rows[0]?.queued ?? 0), oldestSeconds: rows[0]?.oldest ?? 0 }
}

const ago = (at: number | undefined, now: number) => (at === undefined ? null : Math.round((now - at) / 100) / 10)

/**
 * Not ready: no pool runs (starting, or being replaced after it died), or jobs have waited longer than
 * `stallMs` while this worker took none for as long, or its heartbeat has not been recorded for as long
 * (other workers will take it for dead and release its jobs).
 */
export const judgeWorker = (
  s: WorkerSnapshot,
  queue: { readonly queued: number; readonly oldestSeconds: number },
  stallMs: number,
  now: number
): WorkerVerdict => {
  const worker: WorkerReadiness = {
    state: s.state,
    ...(s.poolId === undefined ? {} : { pool: s.poolId }),
    lastJobSecondsAgo: ago(s.lastJobAt, now),
    heartbeatSecondsAgo: ago(s.heartbeatAt, now),
    queuedJobs: queue.queued,
    oldestQueuedSeconds: Math.round(queue.oldestSeconds * 10) / 10
  }
  const stall = stallMs / 1000
  if (s.state !== "running")
    return { _tag: "NotReady", reason: `the worker is ${s.state} (for ${Math.round((now - s.since) / 1000)} s)` }
  if (queue.queued > 0 && queue.oldestSeconds > stall && (worker.lastJobSecondsAgo ?? Infinity) > stall)
    return {
      _tag: "NotReady",
      reason:
        `the worker is not taking jobs: ${queue.queued} wait (the oldest for ${Math.round(queue.oldestSeconds)} s), ` +
        `its last pick-up was ${worker.lastJobSecondsAgo === null ? "never" : `${Math.round(worker.lastJobSecondsAgo)} s ago`}`
    }
  if (worker.heartbeatSecondsAgo !== null && worker.heartbeatSecondsAgo > stall)
    return {
      _tag: "NotReady",
      reason: `the worker's heartbeat has not been recorded for ${Math.round(worker.heartbeatSecondsAgo)} s`
    }
  return { _tag: "Ready", worker }
}
