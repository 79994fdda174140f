// One graphile-worker runner (a worker pool, its local queue and cron), started with our logger and an
// event emitter that gives us the pool's id (what its jobs are locked_by, for the worker registry)
// and the reason it shut down. Worker.ts supervises it: a pool that dies is replaced.
//
// graphile-worker 0.17.3 cannot survive its database going away under it, and two of its behaviours
// are handled here and in Worker.ts rather than left to crash or stall the process:
// - A batched job completion that fails is not retried (its retry loop rethrows on the first error),
//   so any connection error while completing shuts the pool down ("queue is in an inconsistent
//   state"). Its batcher's pending count is then wrong (back-pressure is released once per failure
//   but taken once), so the shutdown waits forever for the batcher and the runner's promise never
//   settles: the process stays up with no worker and nothing says so. `ended` resolves when the
//   shutdown has done what it can (its :complete or :error event), without waiting for that; Worker.ts
//   then stops the runner's cron and connection pool, releases the jobs the dead pool still held, and
//   starts a new one.
// - Shutting a pool down while its local queue holds jobs (WAITING mode) switches the queue to
//   RELEASED before it backgrounds the return of those jobs, and background() refuses work once
//   RELEASED: the return runs untracked, and when it fails (the database is down) its rejection is
//   unhandled and kills the process. trackReturnOnRelease() lets that return be tracked, so its
//   failure reaches the pool's shutdown result instead.
// - A failure of the pool's first lookup of its task ids (getTaskDetails) is cached: graphile-worker
//   keeps the rejected promise, so every later fetch of that pool fails with the same error (seen after
//   a pg_terminate_backend storm: "Client has encountered a connection error and is not queryable",
//   every poll, for good) while the pool looks alive. A pool whose job fetch has failed
//   FETCH_FAILURES_BEFORE_REPLACING times in a row (one per poll interval, so about 10 s) is treated as
//   dead: `ended` resolves and Worker.ts replaces it with a new pool, which looks its tasks up again.
//   During a real outage that only replaces a pool that could not fetch anyway.
import { EventEmitter } from "node:events"
import { Effect, Runtime } from "effect"
import { type Runner, run, type TaskList, type WorkerEvents, Logger as WorkerLogger } from "graphile-worker"
import pg from "pg"
import { preparedStatements } from "../db/sql.js"

/** Consecutive failed job fetches after which a pool is replaced (see the header). */
export const FETCH_FAILURES_BEFORE_REPLACING = 10

export interface PoolOptions {
  readonly connectionString: string
  readonly concurrency: number
  readonly pollInterval: number
  readonly localQueueSize: number
  readonly taskList: TaskList
  readonly crontab: ReadonlyArray<string>
}

export interface StartedPool {
  readonly id: string
  readonly runner: Runner
  /** Resolves once the pool has shut down, as far as it will (see the header). */
  readonly ended: Promise<void>
  /** Why the pool shut down, when graphile-worker said (undefined while it runs). */
  readonly shutdownReason: () => string | undefined
  /** Stops the runner (its cron, its local queue, running jobs), then closes its connection pool. */
  readonly stop: () => Promise<void>
}

/** A pool client's connection error (the client is dropped by pg): a warning, rate-free (rare). */
const onPoolClientError = (runtime: Runtime.Runtime<never>, error: Error) =>
  Runtime.runFork(runtime)(
    Effect.logWarning(`a worker database connection failed: ${error.message}`).pipe(
      Effect.annotateLogs({ service: "Worker" })
    )
  )

// graphile-worker logs a debug line per job; only warnings and errors reach our logger (through the
// layer's runtime, so with its format and level), and the hot path pays nothing for lines nobody reads.
const makeLogger = (runtime: Runtime.Runtime<never>, onError: (message: string, error: unknown) => void) =>
  new WorkerLogger((scope) => (level, message, meta) => {
    if (level !== "error" && level !== "warning") return
    const error = (meta as { error?: unknown; fatalError?: unknown } | undefined)?.error ?? meta?.fatalError
    if (level === "error") onError(message, error)
    const annotations = { service: "Worker", ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}) }
    // The meta objects carry whole pg clients and job rows (payloads may hold personal data): only the error.
    const effect =
      level === "error"
        ? Effect.logError(message, ...(error === undefined ? [] : [String(error)]))
        : Effect.logWarning(message)
    Runtime.runFork(runtime)(effect.pipe(Effect.annotateLogs(annotations)))
  })

interface LocalQueueInternals {
  mode: string
  backgroundCount: number
  background: (promise: Promise<unknown>) => void
  decreaseBackgroundCount: () => void
  decreaseBackgroundCountWithError: (error: unknown) => void
}

/** See the header: lets the jobs' return on release be tracked instead of running unobserved. */
export const trackReturnOnRelease = (localQueue: unknown) => {
  const q = localQueue as LocalQueueInternals
  if (typeof q.background !== "function") return
  const original = q.background.bind(q)
  q.background = (promise) => {
    if (q.mode === "RELEASED" && q.backgroundCount === 0) {
      q.backgroundCount++
      promise.then(q.decreaseBackgroundCount, q.decreaseBackgroundCountWithError)
      return
    }
    original(promise)
  }
}

export const startPool = (options: PoolOptions, runtime: Runtime.Runtime<never>) =>
  Effect.tryPromise({
    try: async (): Promise<StartedPool> => {
      const events = new EventEmitter() as WorkerEvents
      let id: string | undefined
      let reason: string | undefined
      let end = () => {}
      const ended = new Promise<void>((resolve) => {
        end = resolve
      })
      events.on("pool:gracefulShutdown:complete", () => end())
      events.on("pool:forcefulShutdown:complete", () => end())
      events.on("pool:forcefulShutdown:error", () => end())
      events.on("pool:create", ({ workerPool }) => {
        id = workerPool.id
      })
      events.on("pool:gracefulShutdown", ({ message }) => {
        reason ??= message
      })
      events.on("localQueue:init", ({ localQueue }) => trackReturnOnRelease(localQueue))
      // See the header: a pool whose every job fetch fails is replaced.
      let fetchFailures = 0
      events.on("localQueue:getJobs:complete", () => {
        fetchFailures = 0
      })
      const onError = (message: string, error: unknown) => {
        if (!message.startsWith("Error occurred fetching jobs")) return
        fetchFailures++
        if (fetchFailures !== FETCH_FAILURES_BEFORE_REPLACING) return
        reason ??= `its job fetch failed ${fetchFailures} times in a row (last: ${String(error)})`
        end()
      }
      // Our own pg pool, so that every client it ever opens has an error listener for as long as it
      // lives: graphile-worker adds one per client on connect but removes its connect hook when the
      // pool's runner is released, and a client connecting in that window, terminated while checked
      // out between two queries, emitted an unhandled 'error' that killed the process (the
      // pg_terminate_backend storm fault test). pg removes a broken client itself; logging is enough.
      const maxPoolSize = Math.max(10, options.concurrency + 2)
      const pgPool = new pg.Pool({ connectionString: options.connectionString, max: maxPoolSize })
      const onClientError = (error: Error) => onPoolClientError(runtime, error)
      pgPool.on("error", onClientError)
      pgPool.on("connect", (client) => client.on("error", onClientError))
      const runner = await run({
        pgPool,
        concurrency: options.concurrency,
        noHandleSignals: true,
        noPreparedStatements: !preparedStatements(),
        pollInterval: options.pollInterval,
        taskList: options.taskList,
        logger: makeLogger(runtime, onError),
        events,
        ...(options.crontab.length > 0 ? { crontab: options.crontab.join("\n") } : {}),
        preset: {
          worker: {
            maxPoolSize,
            localQueue: { size: options.localQueueSize },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
            gracefulShutdownAbortTimeout: 25_000
          }
        }
      })
      if (id === undefined) throw new Error("graphile-worker started without announcing its pool")
      runner.promise.then(end, end)
      return {
        id,
        runner,
        ended,
        shutdownReason: () => reason,
        stop: () => runner.stop().finally(() => pgPool.end().catch(() => undefined))
      }
    },
    catch: (cause) => cause
  })
