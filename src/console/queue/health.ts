// Everything the queue page shows, read in parallel: the job counts /metrics also reports
// (s2s_job_counts, sql/0003_jobs.sql), throughput, workers, and each projection's state.
import type { Queryable } from "../../db/Db.js"
import { headPosition } from "../../events/reads.js"
import { jobCounts } from "../../jobs/queue.js"
import { projectionStatus } from "../../operations/projections/status.js"
import type { QueueHealth } from "./schema.js"
import { throughput } from "./throughput.js"
import { listWorkers, WORKERS_SOURCE } from "./workers.js"

const rebuilds = (sql: Queryable, names: ReadonlyArray<string>) =>
  sql<Array<{ name: string; generation: number; position: string }>>`
    select p.name, p.rebuilding_generation as generation, c.last_position as position
    from projections p join projection_checkpoints c on c.name = p.name and c.generation = p.rebuilding_generation
    where p.name = any(${names as Array<string>}::text[])`

export const queueHealth = async (
  sql: Queryable,
  projections: ReadonlyArray<string>,
  now: Date
): Promise<QueueHealth> => {
  const [jobs, rate, workers, status, building, head] = await Promise.all([
    jobCounts(sql),
    throughput(sql, now),
    listWorkers(sql),
    projectionStatus(sql, projections),
    rebuilds(sql, projections),
    headPosition(sql)
  ])
  const rebuildOf = new Map(building.map((b) => [b.name, b]))
  return {
    at: now.toISOString(),
    headPosition: head,
    tasks: jobs.map((j) => ({
      task: j.task,
      queued: Number(j.queued),
      scheduled: Number(j.scheduled),
      running: Number(j.running),
      failed: Number(j.failed),
      oldestQueuedSeconds: Math.round(j.oldest_queued_seconds * 10) / 10
    })),
    throughput: rate,
    workers,
    workersSource: WORKERS_SOURCE,
    projections: status.map((p) => {
      const r = rebuildOf.get(p.name)
      const position = Number(r?.position ?? 0)
      return {
        name: p.name,
        activeGeneration: p.activeGeneration,
        checkpoint: p.checkpoint,
        eventsApplied: p.eventsApplied,
        lagEvents: p.lagEvents,
        lagSeconds: p.lagSeconds,
        rebuild:
          r === undefined
            ? null
            : {
                generation: r.generation,
                position,
                percent: head === 0 ? 100 : Math.min(100, Math.floor((position * 1000) / head) / 10)
              }
      }
    })
  }
}
