// The worker's heartbeat and the sweep for dead workers (sql/0008_workers.sql). Every
// WORKER_HEARTBEAT_MS this process records its pool's heartbeat, then releases the jobs of every pool
// silent for longer than WORKER_DEAD_AFTER_MS: a worker killed with -9, OOM-killed or evicted gets
// its jobs back on the queue within that limit plus one beat, instead of graphile-worker's 4 hours.
//
// The limit trades speed against a worker that is alive but stalled (a long GC pause, SIGSTOP, a
// network partition): its jobs are released while it still holds them, and may run twice. Every job
// is idempotent (the dispatcher checks the order's stream and a lease before sending), and a worker
// that comes back finds itself declared dead and says so. It is never shorter than two beats.
import * as os from "node:os"
import { Config, Effect, Schedule } from "effect"
import type { DbService } from "../db/Db.js"
import { workerJobsReleased } from "../lib/metrics.js"
import { beat, releaseSilent } from "./registry.js"
import type { WorkerStatusService } from "./WorkerStatus.js"

export const HeartbeatConfig = Config.all({
  intervalMs: Config.integer("WORKER_HEARTBEAT_MS").pipe(Config.withDefault(5_000)),
  deadAfterMs: Config.integer("WORKER_DEAD_AFTER_MS").pipe(Config.withDefault(30_000))
})

/** What the operator started, as the registry shows it (`serve`, `serve --worker-only`, `worker`). */
const processMode = () => {
  const command = process.argv[2] ?? "node"
  return process.argv.includes("--worker-only") ? `${command} --worker-only` : command
}

export interface Heartbeat {
  /** One beat and sweep now (a new pool registers at once, not at the next beat). */
  readonly now: Effect.Effect<void>
  /** Beats and sweeps every interval, forever; failures are logged once until it recovers. */
  readonly loop: Effect.Effect<void>
}

export const makeHeartbeat = (db: DbService, status: WorkerStatusService) =>
  Effect.gen(function* () {
    const config = yield* HeartbeatConfig
    const deadAfterMs = Math.max(config.deadAfterMs, 2 * config.intervalMs)
    const identity = { hostname: os.hostname(), pid: process.pid, mode: processMode() }
    let lastPool: string | undefined
    let failing = false

    const tick = Effect.gen(function* () {
      const { poolId, lastJobAt, running } = status.snapshot()
      if (poolId !== undefined) {
        const registered = yield* db.query("Worker.heartbeat", (sql) =>
          beat(sql, {
            id: poolId,
            ...identity,
            lastJobAt: lastJobAt === undefined ? undefined : new Date(lastJobAt),
            running
          })
        )
        if (registered && lastPool === poolId)
          yield* Effect.logWarning(
            `worker pool ${poolId} was silent for longer than ${deadAfterMs} ms and another worker released its jobs; ` +
              "jobs it still runs may run twice (each is idempotent)"
          )
        lastPool = poolId
        status.heartbeatRecorded()
      }
      const released = yield* db.query("Worker.sweep", (sql) => releaseSilent(sql, deadAfterMs))
      for (const r of released) {
        workerJobsReleased.inc({ reason: "silent" }, r.jobs)
        const who = r.hostname === undefined ? "never registered" : `${r.hostname}, pid ${r.pid}`
        yield* Effect.logWarning(
          `worker pool ${r.workerId} (${who}) was silent for ${Math.round(r.silentSeconds)} s: ` +
            `released the ${r.jobs} jobs it held`
        )
      }
    })

    const reported = tick.pipe(
      Effect.matchEffect({
        onFailure: (error) => {
          const first = !failing
          failing = true
          return first
            ? Effect.logWarning("the worker heartbeat could not be recorded; retrying every beat", error)
            : Effect.void
        },
        onSuccess: () => {
          const recovered = failing
          failing = false
          return recovered ? Effect.logInfo("the worker heartbeat is recorded again") : Effect.void
        }
      }),
      Effect.annotateLogs({ service: "Worker" })
    )
    const heartbeat: Heartbeat = {
      now: reported,
      loop: reported.pipe(Effect.repeat(Schedule.spaced(config.intervalMs)), Effect.asVoid)
    }
    return heartbeat
  })
