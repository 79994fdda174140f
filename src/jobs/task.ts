// A task as the stages define it (an Effect program with a typed payload, or a batch of items) and
// as graphile-worker runs it (toTask): the payload decoded, the job's memory budget held, the job's
// effect run on the worker's runtime and interrupted with its pool, its outcome counted. Worker.ts
// runs the pool.
//
// A task that fails makes graphile-worker retry it with its backoff; stages that own their retry
// policy (dispatch) record failures as events and complete the job instead. A payload that does not
// decode can never succeed (it is fixed at enqueue), and graphile-worker 0.17 cannot fail a job it
// holds permanently: it is logged as an error (the schema issues' paths, never the values) and the
// job is completed without running, counted as s2s_jobs_total{outcome="rejected"}.
import { Effect, Either, Exit, ParseResult, Runtime, Schema } from "effect"
import type { Task } from "graphile-worker"
import { jobDuration, jobsTotal } from "../lib/metrics.js"
import type { Admission } from "./admission.js"
import { budgetRuns, type JobBudget, jobWeight } from "./jobBudget.js"
import { CurrentWorkerPool, type WorkerStatusService } from "./WorkerStatus.js"

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

export const toTask = <R>(
  runtime: Runtime.Runtime<R>,
  def: AnyTask<R>,
  status: WorkerStatusService,
  budget: JobBudget,
  admission: Admission
): Task => {
  const decode = Schema.decodeUnknownEither(def.payload)
  const weigh = def.weigh ?? jobWeight
  // Room in the memory budget before the job reads anything (jobBudget.ts); a shutdown that stops
  // waiting for jobs fails the waiting ones, which hold nothing, and graphile-worker retries them.
  const withRoom = async <T>(payload: unknown, helpers: Parameters<Task>[1], run: () => Promise<T>) => {
    const held = await budget.hold(weigh(payload), onPoolAbort(helpers.abortSignal))
    if (held === undefined) throw new Error("the worker stopped before this job had room to run")
    try {
      return await run()
    } finally {
      budget.release(held)
    }
  }

  // Its turn while webhooks arrive and the loop runs late (admission.ts; no wait otherwise, nor with
  // WORKER_CONCURRENCY_WHILE_RECEIVING=0), then room in the memory budget, as above.
  return async (payload, helpers) => {
    const leave = await admission.enter(def.name, onPoolAbort(helpers.abortSignal))
    if (leave === undefined) throw new Error("the worker stopped before this job had its turn to run")
    try {
      return await runInBudget(payload, helpers)
    } finally {
      leave()
    }
  }

  async function runInBudget(payload: unknown, helpers: Parameters<Task>[1]) {
    const batch = def.runBatch
    if (batch === undefined || !Array.isArray(payload))
      return withRoom(payload, helpers, () => runTask(payload, helpers))
    // A batch's items in runs that fit the budget, one after another, each with its own room: twelve
    // 1 MiB orders are not read at once because they met in one job (a batch of small items is one run).
    const runs = budgetRuns(payload, budget.budget.capacity)
    if (runs.length === 1) return withRoom(payload, helpers, () => runBatch(batch, payload, helpers))
    const results: Array<Promise<void>> = []
    for (const run of runs) {
      try {
        results.push(...(await withRoom(run, helpers, () => runBatch(batch, run, helpers))))
      } catch (error) {
        // Items already run stay done; this run's and the rest are kept in the job for its retry.
        if (results.length === 0) throw error
        const rejected = Promise.reject(error instanceof Error ? error : new Error(String(error)))
        rejected.catch(() => {})
        while (results.length < payload.length) results.push(rejected)
        return results
      }
    }
    return results
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
