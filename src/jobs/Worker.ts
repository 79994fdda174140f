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
import { Config, Context, Effect, Either, Layer, Option, ParseResult, Runtime, Schema } from "effect"
import { run, type Task, type TaskList, Logger as WorkerLogger } from "graphile-worker"
import { Database } from "../db/Database.js"
import { jobDuration, jobsTotal } from "../lib/metrics.js"

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
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tasks; each is checked where it is defined
export type AnyTask<R> = TaskDefinition<any, R>

export const defineTask = <A, I, R>(
  name: string,
  payload: Schema.Schema<A, I>,
  run: (payload: A, job: JobInfo) => Effect.Effect<void, unknown, R>
): TaskDefinition<A, R> => ({ name, payload: payload as unknown as Schema.Schema<A, unknown>, run })

export const WorkerConfig = Config.all({
  concurrency: Config.integer("WORKER_CONCURRENCY").pipe(Config.withDefault(16)),
  pollInterval: Config.integer("WORKER_POLL_INTERVAL_MS").pipe(Config.withDefault(1000)),
  localQueueSize: Config.integer("WORKER_LOCAL_QUEUE_SIZE").pipe(Config.withDefault(32))
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
      tasks.map((t): AnyTask<never> => ({ ...t, run: (payload, job) => Effect.provide(t.run(payload, job), context) }))
    )
  )

// graphile-worker logs a debug line per job; only warnings and errors reach our logger, so the hot
// path pays nothing for lines nobody reads.
const logger = new WorkerLogger((scope) => (level, message, meta) => {
  if (level !== "error" && level !== "warning") return
  const annotations = { service: "Worker", ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}) }
  const effect = level === "error" ? Effect.logError(`${message}`, meta ?? "") : Effect.logWarning(`${message}`)
  Effect.runFork(effect.pipe(Effect.annotateLogs(annotations)))
})

/** Where a payload fails its schema, without the values (a payload may carry personal data). */
export const payloadIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length === 0 ? "(payload)" : issue.path.join(".")}: ${issue._tag}`)
    .join("; ")

const toTask = <R>(runtime: Runtime.Runtime<R>, def: AnyTask<R>): Task => {
  const decode = Schema.decodeUnknownEither(def.payload)
  return async (payload, helpers) => {
    const started = performance.now()
    const job: JobInfo = {
      id: String(helpers.job.id),
      attempts: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
      key: helpers.job.key ?? null
    }
    const decoded = decode(payload)
    if (Either.isLeft(decoded)) {
      jobsTotal.inc({ task: def.name, outcome: "rejected" })
      Runtime.runSync(runtime)(
        Effect.logError(
          `job ${job.id} of ${def.name} has a payload that does not decode (${payloadIssues(decoded.left)}); completed without running, it will not be retried`
        ).pipe(Effect.annotateLogs({ service: "Worker", task: def.name, jobId: job.id }))
      )
      return
    }
    try {
      await Runtime.runPromise(runtime)(
        def
          .run(decoded.right, job)
          .pipe(Effect.withSpan(`Task.${def.name}`), Effect.annotateLogs({ task: def.name, jobId: job.id })),
        { signal: helpers.abortSignal }
      )
      jobsTotal.inc({ task: def.name, outcome: "completed" })
    } catch (error) {
      jobsTotal.inc({ task: def.name, outcome: "failed" })
      throw error
    } finally {
      jobDuration.observe({ task: def.name }, (performance.now() - started) / 1000)
    }
  }
}

export const WorkerLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    // graphile-worker's own connections use the owner's login: its tables have row-level security
    // on, so only their owner sees the jobs. Task code never gets these connections; it queries
    // through the app pool (Db), as s2s_app.
    const { ownerUrl } = yield* Database
    const tasks = yield* WorkerTasks
    const crontab = Option.getOrElse(yield* Effect.serviceOption(WorkerCrontab), () => [])
    const config = yield* WorkerConfig
    const runtime = yield* Effect.runtime<never>()
    const taskList: TaskList = Object.fromEntries(tasks.map((t) => [t.name, toTask(runtime, t)]))
    const runner = yield* Effect.acquireRelease(
      Effect.promise(() =>
        run({
          connectionString: ownerUrl,
          concurrency: config.concurrency,
          noHandleSignals: true,
          pollInterval: config.pollInterval,
          taskList,
          logger,
          ...(crontab.length > 0 ? { crontab: crontab.join("\n") } : {}),
          preset: {
            worker: {
              maxPoolSize: Math.max(10, config.concurrency + 2),
              localQueue: { size: config.localQueueSize },
              completeJobBatchDelay: 0,
              failJobBatchDelay: 0,
              gracefulShutdownAbortTimeout: 25_000
            }
          }
        })
      ),
      (runner) =>
        Effect.promise(() => runner.stop()).pipe(
          Effect.tap(() => Effect.logInfo("worker stopped")),
          Effect.timeout("30 seconds"),
          Effect.ignore
        )
    )
    // A runner that dies on its own (fatal error) takes the process down with it, through the same
    // graceful path as a SIGTERM, instead of leaving an API that accepts work nobody processes.
    runner.promise.catch((error: unknown) => {
      Effect.runFork(Effect.logFatal("worker stopped unexpectedly; shutting down", error))
      process.exitCode = 1
      process.kill(process.pid, "SIGTERM")
    })
    yield* Effect.logInfo(`worker started: ${tasks.length} tasks, concurrency ${config.concurrency}`)
  }).pipe(Effect.annotateLogs({ service: "Worker" }))
)
