// graphile-worker as a scoped Layer. Tasks are Effect programs with a typed payload schema; the
// runner is started with noHandleSignals so the Effect runtime owns shutdown: closing the scope calls
// runner.stop(), which stops fetching and waits for running jobs. The local queue and batched job
// completion are on (an order of magnitude more jobs/s on a small machine; see README, Operations).
// The tasks themselves, and how a job runs one, are in task.ts.
import { Config, Context, Effect, Fiber, Layer, Option, Schedule } from "effect"
import { Database } from "../db/Database.js"
import { Db, withinDeadline } from "../db/Db.js"
import { workerJobsReleased, workerRestarts } from "../lib/metrics.js"
import { makeAdmission } from "./admission.js"
import { makeHeartbeat } from "./Heartbeat.js"
import { JobBudgetConfig, makeJobBudget } from "./jobBudget.js"
import { type PoolOptions, type StartedPool, startPool } from "./pool.js"
import { releaseWorker } from "./registry.js"
import { type AnyTask, type JobInfo, toTask } from "./task.js"
import { TimeSlicedScheduler, watchLoopLag } from "./timeSlice.js"
import { makeWorkerStatus, WorkerStatus } from "./WorkerStatus.js"

/** Off by default: slicing trades the worker's own latency for the HTTP side's (timeSlice.ts). */
export const DEFAULT_SLICE_MS = 0
/**
 * 4 jobs per task while webhooks arrive and the loop runs late (admission.ts): the HTTP side's share
 * of a draining process doubled, and the worker still kept up at its capacity (README, Benchmarks).
 */
export const DEFAULT_WHILE_RECEIVING = 4

export const WorkerConfig = Config.all({
  concurrency: Config.integer("WORKER_CONCURRENCY").pipe(Config.withDefault(16)),
  pollInterval: Config.integer("WORKER_POLL_INTERVAL_MS").pipe(Config.withDefault(1000)),
  localQueueSize: Config.integer("WORKER_LOCAL_QUEUE_SIZE").pipe(Config.withDefault(32)),
  /** While the loop runs late, the worker's fibers run in slices of this many ms (timeSlice.ts); 0: never. */
  sliceMs: Config.number("WORKER_SLICE_MS").pipe(Config.withDefault(DEFAULT_SLICE_MS)),
  /** While webhooks arrive, the most jobs of one task running at once (admission.ts); 0: no limit. */
  whileReceiving: Config.integer("WORKER_CONCURRENCY_WHILE_RECEIVING").pipe(
    Config.validate({ message: "must be 0 (no limit) or more", validation: (n) => n >= 0 }),
    Config.withDefault(DEFAULT_WHILE_RECEIVING)
  )
})

/** Tasks contributed by the stages; main.ts provides the list. */
export class WorkerTasks extends Context.Tag("app/jobs/WorkerTasks")<WorkerTasks, ReadonlyArray<AnyTask<never>>>() {}

/**
 * Recurring jobs as graphile-worker crontab lines (`* * * * * task ?max=1`), provided by main.ts.
 * Cron is UTC and deduplicated across workers: each tick schedules one job however many run.
 * Optional: without it no crontab is passed (graphile-worker then reads ./crontab if present).
 */
export class WorkerCrontab extends Context.Tag("app/jobs/WorkerCrontab")<WorkerCrontab, ReadonlyArray<string>>() {}

/** The WorkerTasks layer: the tasks with the services they need provided from the layer's context. */
export const tasksLayer = <R>(tasks: ReadonlyArray<AnyTask<R>>) =>
  Layer.effect(
    WorkerTasks,
    Effect.map(Effect.context<R>(), (context) =>
      tasks.map(
        (t): AnyTask<never> => ({
          ...t,
          run: (payload, job) => Effect.provide(t.run(payload, job), context),
          runBatch:
            t.runBatch === undefined
              ? undefined
              : (items: ReadonlyArray<unknown>, job: JobInfo) => Effect.provide(t.runBatch!(items, job), context)
        })
      )
    )
  )

/**
 * The worker: a supervised graphile-worker pool (pool.ts) plus its heartbeat in the registry
 * (Heartbeat.ts). A pool that dies on its own (the database went away under it) is replaced as soon
 * as the database answers, and the jobs it still held are released at once; nothing else in the
 * process stops. Closing the scope stops the pool gracefully (running jobs finish, up to 25 s) and
 * removes it from the registry.
 */
export const WorkerLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    // graphile-worker's own connections use the owner's login: its tables have row-level security
    // on, so only their owner sees the jobs. Task code never gets these connections; it queries
    // through the app pool (Db), as s2s_app, and so do the registry's heartbeats.
    const { ownerUrl } = yield* Database
    const db = yield* Db
    const tasks = yield* WorkerTasks
    const crontab = Option.getOrElse(yield* Effect.serviceOption(WorkerCrontab), () => [])
    const status = Option.getOrElse(yield* Effect.serviceOption(WorkerStatus), () => makeWorkerStatus())
    const config = yield* WorkerConfig
    const budget = makeJobBudget(yield* JobBudgetConfig)
    const admission = makeAdmission(config.whileReceiving)
    // The jobs' fibers start with the runtime's FiberRefs: its scheduler is theirs. Sliced while the
    // event loop runs late (timeSlice.ts).
    const lag =
      config.sliceMs > 0
        ? yield* Effect.acquireRelease(Effect.sync(watchLoopLag), (l) => Effect.sync(l.stop))
        : undefined
    const runtime = yield* lag !== undefined
      ? Effect.withScheduler(Effect.runtime<never>(), new TimeSlicedScheduler(config.sliceMs, lag.underPressure))
      : Effect.runtime<never>()
    const options: PoolOptions = {
      connectionString: ownerUrl,
      concurrency: config.concurrency,
      pollInterval: config.pollInterval,
      localQueueSize: config.localQueueSize,
      taskList: Object.fromEntries(tasks.map((t) => [t.name, toTask(runtime, t, status, budget, admission)])),
      crontab
    }
    let current: StartedPool | undefined
    let stopping = false
    const heartbeat = yield* makeHeartbeat(db, status)

    const release = (pool: StartedPool) =>
      db
        .query("Worker.release", (sql) => releaseWorker(sql, pool.id))
        .pipe(
          Effect.tap((held) => {
            if (held === 0) return Effect.void
            workerJobsReleased.inc({ reason: "stopped" }, held)
            return Effect.logWarning(`released ${held} jobs still held by the stopped worker pool ${pool.id}`)
          })
        )

    // Uninterruptible: a pool whose start completes is always recorded, so the finalizer stops it.
    const start = Effect.uninterruptible(
      startPool(options, runtime).pipe(
        Effect.tap((pool) =>
          Effect.sync(() => {
            current = pool
            status.poolStarted(pool.id)
          })
        )
      )
    ).pipe(
      Effect.tapError((error) =>
        Effect.logWarning("the worker pool could not start (is the database reachable?); retrying", String(error))
      ),
      Effect.retry(Schedule.exponential("250 millis").pipe(Schedule.union(Schedule.spaced("2 seconds"))))
    )

    const supervise = Effect.gen(function* () {
      for (;;) {
        const pool = yield* start
        // Registered at once, not at the next beat: a pool killed early is still known to the sweep.
        yield* heartbeat.now
        yield* Effect.logInfo(
          `worker pool ${pool.id} started: ${tasks.length} tasks, concurrency ${config.concurrency}`
        )
        yield* Effect.promise(() => pool.ended)
        if (stopping) return
        current = undefined
        status.poolLost()
        workerRestarts.inc()
        yield* Effect.logError(
          `worker pool ${pool.id} stopped on its own (${pool.shutdownReason() ?? "no reason given"}); starting a new one`
        )
        // Its cron and connection pool (graphile-worker may never release them itself; see pool.ts).
        yield* Effect.promise(() => pool.stop().catch(() => undefined)).pipe(
          Effect.timeout("10 seconds"),
          Effect.ignore
        )
        // What it still holds can run elsewhere once its tasks have ended (a forced shutdown does not
        // wait for them).
        yield* Effect.forkScoped(
          Effect.gen(function* () {
            yield* Effect.sync(() => status.runningIn(pool.id) === 0).pipe(
              Effect.repeat({ until: (idle) => idle, schedule: Schedule.spaced("100 millis") }),
              Effect.timeout("30 seconds"),
              Effect.ignore
            )
            yield* release(pool).pipe(Effect.retry(Schedule.spaced("1 second").pipe(Schedule.upTo("5 minutes"))))
          }).pipe(
            Effect.catchAll((error) =>
              Effect.logError(`could not release the jobs of the stopped worker pool ${pool.id}; the sweep will`, error)
            )
          )
        )
      }
    })
    const supervisor = yield* Effect.forkDaemon(supervise)
    yield* Effect.forkScoped(heartbeat.loop)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        stopping = true
        status.stopping()
        yield* Fiber.interrupt(supervisor)
        const pool = current
        if (pool === undefined) return
        yield* Effect.promise(() => pool.stop()).pipe(Effect.timeout("30 seconds"), Effect.ignore)
        // Bounded even against a stalled database (db/run.ts); what it leaves, the sweep releases.
        yield* release(pool).pipe(withinDeadline("5 seconds"), Effect.ignore)
        yield* Effect.logInfo("worker stopped")
      })
    )
  }).pipe(Effect.annotateLogs({ service: "Worker" }))
)
