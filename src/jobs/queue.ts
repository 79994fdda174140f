// The job queue's figures by task, from s2s_job_counts() (sql/0003_jobs.sql): /metrics reports them and the
// console's queue page shows them. And the rule for enqueueing the jobs of many items at once.
import type { Queryable } from "../db/Db.js"

export interface JobCounts {
  task: string
  queued: string
  scheduled: string
  running: string
  failed: string
  oldest_queued_seconds: number
}

export const jobCounts = (sql: Queryable) => sql<Array<JobCounts>>`select * from s2s_job_counts()`

/**
 * The jobs of many items for one add_jobs call, which cannot take two specs of one key (its ON
 * CONFLICT would affect a row twice): one spec per single-job key, the last one winning. Batch items
 * (array payloads) are kept, s2s_enqueue merges those (sql/0011_batch_jobs.sql).
 */
export const distinctJobKeys = <J extends { readonly jobKey?: string | undefined; readonly payload: unknown }>(
  jobs: ReadonlyArray<J>
): ReadonlyArray<J> => {
  const byKey = new Map<string, J>()
  const rest: Array<J> = []
  for (const job of jobs) {
    if (job.jobKey === undefined || Array.isArray(job.payload)) rest.push(job)
    else byKey.set(job.jobKey, job)
  }
  return [...rest, ...byKey.values()]
}
