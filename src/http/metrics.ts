// /metrics, rendered by whichever process is scraped. Counters and histograms (HTTP requests, job
// outcomes and durations) are per process; the figures that describe the whole system, projection
// lag and the job queue, are read from the database at scrape time, so a web process that runs no
// jobs and no projector still reports them, and every process reports the same values.
import { Effect } from "effect"
import { Gauge } from "prom-client"
import { type DbService, withinDeadline } from "../db/Db.js"
import { jobCounts } from "../jobs/queue.js"
import { projectionLagEvents, projectionLagSeconds, registry } from "../lib/metrics.js"
import { lagAll } from "../projections/runner.js"

export const jobQueue = new Gauge({
  name: "s2s_job_queue",
  help: "Work in the queue by task and state, a batch job counted as its items (queued: ready now, scheduled: waiting for run_at or a retry backoff, running, failed: out of attempts)",
  labelNames: ["task", "state"] as const,
  registers: [registry]
})

export const jobQueueOldestSeconds = new Gauge({
  name: "s2s_job_queue_oldest_seconds",
  help: "How long the oldest job ready to run has been waiting, by task (0 when none waits)",
  labelNames: ["task"] as const,
  registers: [registry]
})

export const databaseUp = new Gauge({
  name: "s2s_metrics_database_up",
  help: "1 when the queue and lag figures of this scrape were read from the database, 0 when it did not answer",
  registers: [registry]
})

const STATES = ["queued", "scheduled", "running", "failed"] as const

/** Reads the system-wide figures and sets the gauges; on failure they are dropped, never left stale. */
export const refreshDatabaseMetrics = (db: DbService) =>
  db
    .query("Metrics.scrape", (sql) => Promise.all([lagAll(sql), jobCounts(sql)]))
    .pipe(
      // At the deadline even when the server has stopped answering (db/run.ts).
      withinDeadline("3 seconds"),
      Effect.match({
        onFailure: (error) => {
          for (const gauge of [projectionLagEvents, projectionLagSeconds, jobQueue, jobQueueOldestSeconds])
            gauge.reset()
          databaseUp.set(0)
          return Effect.logWarning("metrics: the database did not answer; lag and queue figures left out", error)
        },
        onSuccess: ([lags, jobs]) => {
          // Set after both reads, synchronously: a concurrent scrape never sees a half-empty set.
          for (const gauge of [projectionLagEvents, projectionLagSeconds, jobQueue, jobQueueOldestSeconds])
            gauge.reset()
          for (const l of lags) {
            projectionLagEvents.set({ projection: l.projection }, l.events)
            projectionLagSeconds.set({ projection: l.projection }, l.seconds)
          }
          for (const j of jobs) {
            for (const state of STATES) jobQueue.set({ task: j.task, state }, Number(j[state]))
            jobQueueOldestSeconds.set({ task: j.task }, j.oldest_queued_seconds)
          }
          databaseUp.set(1)
          return Effect.void
        }
      }),
      Effect.flatten
    )

/** The Prometheus text of this process, with the database figures read just now. */
export const renderMetrics = Effect.fn("Metrics.render")(function* (db: DbService) {
  yield* refreshDatabaseMetrics(db)
  return yield* Effect.promise(() => registry.metrics())
})

export const metricsContentType = registry.contentType
