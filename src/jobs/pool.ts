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
import { EventEmitter } from "node:events"
import { Effect, Runtime } from "effect"
import { type Runner, run, type TaskList, type WorkerEvents, Logger as WorkerLogger } from "graphile-worker"

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
}

// graphile-worker logs a debug line per job; only warnings and errors reach our logger (through the
// layer's runtime, so with its format and level), and the hot path pays nothing for lines nobody reads.
const makeLogger = (runtime: Runtime.Runtime<never>) =>
  new WorkerLogger((scope) => (level, message, meta) => {
    if (level !== "error" && level !== "warning") return
    const error = (meta as { error?: unknown; fatalError?: unknown } | undefined)?.error ?? meta?.fatalError
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
      const runner = await run({
        connectionString: options.connectionString,
        concurrency: options.concurrency,
        noHandleSignals: true,
        pollInterval: options.pollInterval,
        taskList: options.taskList,
        logger: makeLogger(runtime),
        events,
        ...(options.crontab.length > 0 ? { crontab: options.crontab.join("\n") } : {}),
        preset: {
          worker: {
            maxPoolSize: Math.max(10, options.concurrency + 2),
            localQueue: { size: options.localQueueSize },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
            gracefulShutdownAbortTimeout: 25_000
          }
        }
      })
      if (id === undefined) throw new Error("graphile-worker started without announcing its pool")
      runner.promise.then(end, end)
      return { id, runner, ended, shutdownReason: () => reason }
    },
    catch: (cause) => cause
  })
