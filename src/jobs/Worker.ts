// graphile-worker as a scoped Layer. Tasks are Effect programs with a typed payload schema; the
// runner is started with noHandleSignals so the Effect runtime owns shutdown: closing the scope calls
// runner.stop(), which stops fetching and waits for running jobs. The local queue and batched job
// completion are on (an order of magnitude more jobs/s on a small machine; see README, Operations).
//
// A task that fails makes graphile-worker retry it with its backoff; stages that own their retry
// policy (dispatch) record failures as events and complete the job instead. A payload that does not
// decode can never succeed (it is fixed at enqueue), and graphile-worker 0.17 cannot fail a job it
// holds permanently: it is logged as an error (the schema issues' paths, never the values) and the
// job is completed without running, counted as s2s_jobs_total{outcome="rejected"}.
import {
  Config,
  Context,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Option,
  ParseResult,
  Runtime,
  Schedule,
  Schema
} from "effect"
import type { Task } from "graphile-worker"
import { Database } from "../db/Database.js"
import { Db } from "../db/Db.js"
import { jobDuration, jobsTotal, workerJobsReleased, workerRestarts } from "../lib/metrics.js"
import { makeHeartbeat } from "./Heartbeat.js"
import { type JobBudget, JobBudgetConfig, jobWeight, makeJobBudget } from "./jobBudget.js"
import { type PoolOptions, type StartedPool, startPool } from "./pool.js"
import { releaseWorker } from "./registry.js"
import { TimeSlicedScheduler, watchLoopLag } from "./timeSlice.js"
import { CurrentWorkerPool, makeWorkerStatus, WorkerStatus, type WorkerStatusService } from "./WorkerStatus.js"

export interface JobInfo {
  readonly id: string
  readonly attempts: number
  readonly maxAttempts: number
  readonly key: string | null
}

export interface TaskDefinition<A, R> {
  readonly name: string
  readonly payload: Schema.Schema<A, unknown>
  readonly run: (payload: A, job: JobInfo) => Effect.Effect<void, unknown, R>
  /**
   * A batch task (defineBatchTask): its payload is an array of items (graphile-worker's batch jobs,
   * sql/0011_batch_jobs.sql), run together; one result per item, and only the failed items are
   * retried (graphile-worker keeps them as the job's payload).
   */
  readonly runBatch?:
    | ((items: ReadonlyArray<A>, job: JobInfo) => Effect.Effect<ReadonlyArray<Either.Either<void, unknown>>, never, R>)
    | undefined
  /** The job's weight in the memory budget (jobBudget.ts); jobWeight of the payload when unset. */
  readonly weigh?: ((payload: unknown) => number) | undefined
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tasks; each is checked where it is defined
export type AnyTask<R> = TaskDefinition<any, R>

export const defineTask = <A, I, R>(
  name: string,
  payload: Schema.Schema<A, I>,
  run: (payload: A, job: JobInfo) => Effect.Effect<void, unknown, R>
): TaskDefinition<A, R> => ({ name, payload: payload as unknown as Schema.Schema<A, unknown>, run })

/**
 * A task whose jobs carry an array of items (a single item is a batch of one). `weigh` gives the
 * job's weight in the memory budget: the items one run takes, not the whole array.
 */
export const defineBatchTask = <A, I, R>(
  name: string,
  item: Schema.Schema<A, I>,
  runBatch: (
    items: ReadonlyArray<A>,
    job: JobInfo
  ) => Effect.Effect<ReadonlyArray<Either.Either<void, unknown>>, never, R>,
  weigh?: (payload: unknown) => number
): TaskDefinition<A, R> => ({
  name,
  payload: item as unknown as Schema.Schema<A, unknown>,
  run: (payload, job) =>
    Effect.flatMap(runBatch([payload], job), ([result]) =>
      result === undefined || Either.isRight(result) ? Effect.void : Effect.fail(result.left)
    ),
  runBatch,
  weigh
})

/** Off by default: slicing trades the worker's own latency for the HTTP side's (timeSlice.ts). */
export const DEFAULT_SLICE_MS = 0

export const WorkerConfig = Config.all({
  concurrency: Config.integer("WORKER_CONCURRENCY").pipe(Config.withDefault(16)),
  pollInterval: Config.integer("WORKER_POLL_INTERVAL_MS").pipe(Config.withDefault(1000)),
  localQueueSize: Config.integer("WORKER_LOCAL_QUEUE_SIZE").pipe(Config.withDefault(32)),
  /** While the loop runs late, the worker's fibers run in slices of this many ms (timeSlice.ts); 0: never. */
  sliceMs: Config.number("WORKER_SLICE_MS").pipe(Config.withDefault(DEFAULT_SLICE_MS))
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

/** What a task is told about the job it runs. */
const jobInfoOf = (helpers: Parameters<Task>[1]): JobInfo => ({
  id: String(helpers.job.id),
  attempts: helpers.job.attempts,
  maxAttempts: helpers.job.max_attempts,
  key: helpers.job.key ?? null
})

/** Where a payload fails its schema, without the values (a payload may carry personal data). */
export const payloadIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length === 0 ? "(payload)" : issue.path.join(".")}: ${issue._tag}`)
    .join("; ")

// graphile-worker gives every job of a pool the pool's one AbortSignal (aborted when a shutdown stops
// waiting for jobs). Handing it to each job's runPromise added a listener per running job, past Node's
// limit of 10 with 16 concurrent jobs (MaxListenersExceededWarning: 11 abort listeners added to
// [AbortSignal]; removed again when each job ended, so a warning rather than a leak). One listener per
// signal interrupts the running jobs of its pool instead.
const interrupters = new WeakMap<AbortSignal, Set<() => void>>()

const onAbort = (signal: AbortSignal): Set<() => void> => {
  let running = interrupters.get(signal)
  if (running === undefined) {
    const set = new Set<() => void>()
    running = set
    interrupters.set(signal, set)
    signal.addEventListener("abort", () => set.forEach((interrupt) => interrupt()), { once: true })
  }
  return running
}

/** Runs a job's effect, interrupted when the pool's signal aborts; rejects like Runtime.runPromise. */
export const runJob = <A, E, R>(runtime: Runtime.Runtime<R>, effect: Effect.Effect<A, E, R>, signal: AbortSignal) =>
  new Promise<A>((resolve, reject) => {
    const fiber = Runtime.runFork(runtime)(effect)
    const interrupt = () => fiber.unsafeInterruptAsFork(fiber.id())
    const running = onAbort(signal)
    running.add(interrupt)
    if (signal.aborted) interrupt()
    fiber.addObserver((exit) => {
      running.delete(interrupt)
      if (Exit.isSuccess(exit)) resolve(exit.value)
      else reject(Runtime.makeFiberFailure(exit.cause))
    })
  })

/** Registers `cancel` to run when the pool's signal aborts (one listener per signal); returns its removal. */
const onPoolAbort = (signal: AbortSignal) => (cancel: () => void) => {
  const running = onAbort(signal)
  running.add(cancel)
  if (signal.aborted) cancel()
  return () => running.delete(cancel)
}

const toTask = <R>(
  runtime: Runtime.Runtime<R>,
  def: AnyTask<R>,
  status: WorkerStatusService,
  budget: JobBudget
): Task => {
  const decode = Schema.decodeUnknownEither(def.payload)
  return async (payload, helpers) => {
    // Room in the memory budget before the job reads anything (jobBudget.ts); a shutdown that stops
    // waiting for jobs fails the waiting ones, which hold nothing, and graphile-worker retries them.
    const held = await budget.hold((def.weigh ?? jobWeight)(payload), onPoolAbort(helpers.abortSignal))
    if (held === undefined) throw new Error("the worker stopped before this job had room to run")
    try {
      return def.runBatch !== undefined && Array.isArray(payload)
        ? await runBatch(def.runBatch, payload, helpers)
        : await runTask(payload, helpers)
    } finally {
      budget.release(held)
    }
  }

  // A payload (or a batch item) that does not decode: counted and logged, never run or retried.
  function reject(job: JobInfo, message: string) {
    jobsTotal.inc({ task: def.name, outcome: "rejected" })
    Runtime.runSync(runtime)(
      Effect.logError(message).pipe(Effect.annotateLogs({ service: "Worker", task: def.name, jobId: job.id }))
    )
  }

  // A run of the task as the job it is: its span, its log annotations, the pool it runs in.
  function asJob<A, E>(
    effect: Effect.Effect<A, E, R>,
    job: JobInfo,
    pool: ReturnType<typeof status.jobStarted>,
    attributes?: Record<string, unknown>
  ) {
    return effect.pipe(
      Effect.withSpan(`Task.${def.name}`, attributes === undefined ? undefined : { attributes }),
      Effect.annotateLogs({ task: def.name, jobId: job.id }),
      Effect.locally(CurrentWorkerPool, pool)
    )
  }

  // One promise per item (graphile-worker's batch jobs): a rejected one is kept in the job for its
  // retry, the others are done. An item that does not decode is rejected as a whole job's would be:
  // logged and dropped (never retried).
  async function runBatch(
    run: NonNullable<AnyTask<R>["runBatch"]>,
    payload: ReadonlyArray<unknown>,
    helpers: Parameters<Task>[1]
  ): Promise<Array<Promise<void>>> {
    const started = performance.now()
    const pool = status.jobStarted()
    const job = jobInfoOf(helpers)
    const decoded = payload.map((item) => decode(item))
    const items: Array<unknown> = []
    for (const [i, d] of decoded.entries()) {
      if (Either.isRight(d)) items.push(d.right)
      else {
        reject(
          job,
          `item ${i} of job ${job.id} of ${def.name} does not decode (${payloadIssues(d.left)}); dropped, it will not be retried`
        )
      }
    }
    try {
      const results =
        items.length === 0
          ? []
          : await runJob(runtime, asJob(run(items, job), job, pool, { items: items.length }), helpers.abortSignal)
      let k = 0
      return decoded.map((d) => {
        if (Either.isLeft(d)) return Promise.resolve()
        const result = results[k++]
        if (result === undefined || Either.isRight(result)) {
          jobsTotal.inc({ task: def.name, outcome: "completed" })
          return Promise.resolve()
        }
        jobsTotal.inc({ task: def.name, outcome: "failed" })
        const error = result.left
        const rejected = Promise.reject(error instanceof Error ? error : new Error(String(error)))
        rejected.catch(() => {})
        return rejected
      })
    } catch (error) {
      jobsTotal.inc({ task: def.name, outcome: "failed" })
      throw error
    } finally {
      status.jobEnded(pool)
      jobDuration.observe({ task: def.name }, (performance.now() - started) / 1000)
    }
  }

  async function runTask(payload: unknown, helpers: Parameters<Task>[1]) {
    const started = performance.now()
    const pool = status.jobStarted()
    const job = jobInfoOf(helpers)
    const decoded = decode(payload)
    if (Either.isLeft(decoded)) {
      reject(
        job,
        `job ${job.id} of ${def.name} has a payload that does not decode (${payloadIssues(decoded.left)}); completed without running, it will not be retried`
      )
      status.jobEnded(pool)
      return
    }
    try {
      await runJob(runtime, asJob(def.run(decoded.right, job), job, pool), helpers.abortSignal)
      jobsTotal.inc({ task: def.name, outcome: "completed" })
    } catch (error) {
      jobsTotal.inc({ task: def.name, outcome: "failed" })
      throw error
    } finally {
      status.jobEnded(pool)
      jobDuration.observe({ task: def.name }, (performance.now() - started) / 1000)
    }
  }
}

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
      taskList: Object.fromEntries(tasks.map((t) => [t.name, toTask(runtime, t, status, budget)])),
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
        yield* release(pool).pipe(Effect.timeout("5 seconds"), Effect.ignore)
        yield* Effect.logInfo("worker stopped")
      })
    )
  }).pipe(Effect.annotateLogs({ service: "Worker" }))
)
