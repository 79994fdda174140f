// Batch jobs (sql/0011_batch_jobs.sql, defineBatchTask): items enqueued under one key while its job
// waits collect into that one job, also when one call carries several of them; a running batch keeps
// its own items and retries, and new items start the next batch; a batch whose item fails is retried
// with that item alone; the next batch of a key starts as soon as the running one ends, not at the
// next poll; a waiting batch stops growing at 256 items (sql/0014_batch_job_cap.sql).
import { randomUUID } from "node:crypto"
import { ConfigProvider, Effect, Either, Exit, Layer, Logger, Schema, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { DbLive, type Sql } from "../../src/db/Db.js"
import { jobSpec } from "../../src/events/append.js"
import { defineBatchTask } from "../../src/jobs/task.js"
import { WorkerLive, WorkerTasks } from "../../src/jobs/Worker.js"
import { dispatchBatchJob } from "../../src/rules/plan.js"
import { onCleanup } from "../support/cleanup.js"
import { freshDatabase, ownerSql } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

const TASK = `batch-probe-${randomUUID().slice(0, 8)}`
const runs: Array<ReadonlyArray<number>> = []
let failOnce = new Set<number>()
const probe = defineBatchTask(TASK, Schema.Struct({ n: Schema.Number }), (items) =>
  Effect.sync(() => {
    runs.push(items.map((i) => i.n))
    return items.map((i) => {
      if (!failOnce.has(i.n)) return Either.void
      failOnce.delete(i.n)
      return Either.left(new Error(`item ${i.n} failed`))
    })
  })
)

let owner: Sql
let url: string
beforeAll(async () => {
  url = await freshDatabase()
  owner = ownerSql(url)
})

const enqueue = (specs: ReadonlyArray<unknown>) => owner`select s2s_enqueue(${owner.json(specs as never)}::json)`

const batchSpec = (key: string, ns: ReadonlyArray<number>, task = TASK, queue?: string) => ({
  identifier: task,
  payload: ns.map((n) => ({ n })),
  job_key: key,
  max_attempts: 5,
  ...(queue === undefined ? {} : { queue_name: queue })
})

/** A worker running `tasks` on the test database until the file ends. */
const startWorker = async (
  tasks: ReadonlyArray<ReturnType<typeof defineBatchTask<{ n: number }, { n: number }, never>>>,
  pollMs: number
) => {
  // Sliced fibers (src/jobs/timeSlice.ts, off by default): the same results through that scheduler.
  const provider = ConfigProvider.fromMap(
    new Map([
      ["WORKER_POLL_INTERVAL_MS", String(pollMs)],
      ["WORKER_SLICE_MS", "2"]
    ])
  )
  const layer = WorkerLive.pipe(
    Layer.provide(Layer.succeed(WorkerTasks, tasks)),
    Layer.provide(DbLive),
    Layer.provide(DatabaseFromUrl(url)),
    Layer.provide(Logger.replace(Logger.defaultLogger, Logger.none)),
    Layer.provide(Layer.setConfigProvider(provider))
  )
  const scope = Effect.runSync(Scope.make())
  await Effect.runPromise(Layer.buildWithScope(layer, scope))
  onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
}

const jobsOf = (task: string) =>
  owner<Array<{ id: string; key: string | null; payload: Array<unknown>; attempts: number; locked_at: Date | null }>>`
    select j.id, j.key, j.payload, j.attempts, j.locked_at
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${task} order by j.id`

describe("batch jobs", () => {
  it("collect the items of one key into one waiting job, across calls and within one call", async () => {
    const task = `held-${randomUUID().slice(0, 8)}`
    await enqueue([batchSpec("k:a", [1], task), batchSpec("k:b", [2], task), batchSpec("k:a", [3], task)])
    await enqueue([batchSpec("k:a", [4, 5], task)])
    const jobs = await jobsOf(task)
    expect(jobs.map((j) => [j.key, j.payload])).toEqual([
      ["k:a", [{ n: 1 }, { n: 3 }, { n: 4 }, { n: 5 }]],
      ["k:b", [{ n: 2 }]]
    ])
  })

  it("stop growing at 256 items: the full job waits without its key, the next items start a new job", async () => {
    const task = `full-${randomUUID().slice(0, 8)}`
    const ns = Array.from({ length: 300 }, (_, i) => i)
    for (let i = 0; i < 300; i += 100) await enqueue([batchSpec("k:full", ns.slice(i, i + 100), task, "q:full")])
    const jobs = await jobsOf(task)
    // 100 + 100 + 100: the job held 200 (< 256) when the third call came, so it took them too.
    expect(jobs.map((j) => [j.key, j.payload.length])).toEqual([["k:full", 300]])
    await enqueue([batchSpec("k:full", [300], task, "q:full")])
    const after = await jobsOf(task)
    expect(after.map((j) => [j.key, j.payload.length])).toEqual([
      [null, 300],
      ["k:full", 1]
    ])
    expect(after.flatMap((j) => j.payload).map((p) => (p as { n: number }).n)).toEqual([...ns, 300])
  })

  it("make one job of the keyless items of one task in one call (a group commit's webhooks), none across calls", async () => {
    const task = `keyless-${randomUUID().slice(0, 8)}`
    const other = `keyless-other-${randomUUID().slice(0, 8)}`
    const keyless = (t: string, ns: ReadonlyArray<number>) => ({
      identifier: t,
      payload: ns.map((n) => ({ n })),
      max_attempts: 10
    })
    await enqueue([keyless(task, [1]), keyless(other, [9]), keyless(task, [2, 3]), batchSpec("k:keyed", [4], task)])
    await enqueue([keyless(task, [5])])
    const jobs = await jobsOf(task)
    // Keyed specs are added first (in key order), then the rest.
    expect(jobs.map((j) => [j.key, j.payload])).toEqual([
      ["k:keyed", [{ n: 4 }]],
      [null, [{ n: 1 }, { n: 2 }, { n: 3 }]],
      [null, [{ n: 5 }]]
    ])
    expect((await jobsOf(other)).map((j) => j.payload)).toEqual([[{ n: 9 }]])
  })

  it("plans an order's dispatches into a few batch jobs per target", async () => {
    const specs = Array.from({ length: 40 }, (_, i) =>
      jobSpec(dispatchBatchJob({ orderKey: `shop:${i}`, targetId: "meta", kind: "conversion" }))
    )
    for (let i = 0; i < specs.length; i += 8) await enqueue(specs.slice(i, i + 8))
    const jobs = await jobsOf("dispatch-batch")
    expect(jobs.length).toBeGreaterThan(0)
    expect(jobs.length).toBeLessThanOrEqual(4)
    expect(jobs.flatMap((j) => j.payload)).toHaveLength(40)
  })

  it("leave a running batch its items and attempts: new items go to a new job for the key", async () => {
    const task = `locked-${randomUUID().slice(0, 8)}`
    await enqueue([batchSpec("k:run", [1, 2], task)])
    // What a worker's fetch does: lock it and count the attempt.
    await owner`
      update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test-worker', attempts = attempts + 1
      where key = 'k:run'`
    await enqueue([batchSpec("k:run", [3], task)])
    const jobs = await jobsOf(task)
    expect(jobs.map((j) => [j.key, j.payload, j.attempts, j.locked_at !== null])).toEqual([
      [null, [{ n: 1 }, { n: 2 }], 1, true],
      ["k:run", [{ n: 3 }], 0, false]
    ])
  })

  /**
   * Two transactions add to a key that has no job yet. The first creates the job; the second waits
   * for it (on the key's unique index before sql/0016_enqueue_key_locks.sql, on the enqueue's key lock
   * now). A worker takes the new job the moment the first commits (here: locked inside that same
   * transaction, the tightest interleaving). Returns the task's jobs after both committed.
   */
  const enqueueWhileCreated = async (
    key: string,
    first: (task: string) => unknown,
    second: (task: string) => unknown
  ) => {
    const task = `race-${randomUUID().slice(0, 8)}`
    // The task exists already (else the second would wait on its row instead, before looking for jobs).
    await enqueue([batchSpec(`${key}-other`, [0], task)])
    const pool = ownerSql(url, 2)
    const a = await pool.reserve()
    const b = await pool.reserve()
    try {
      await a`begin`
      await a`select s2s_enqueue(${a.json([first(task)] as never)}::json)`
      await a`
        update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test-worker', attempts = attempts + 1
        where key = ${key}`
      const pid = (await b<Array<{ pid: number }>>`select pg_backend_pid() as pid`)[0]!.pid
      await b`begin`
      const adding = b`select s2s_enqueue(${b.json([second(task)] as never)}::json)`.then(() => b`commit`)
      await waitUntil(
        "the second enqueue waits for the first transaction",
        async () =>
          (await owner`select 1 from pg_stat_activity where pid = ${pid} and wait_event_type = 'Lock'`).length === 1
      )
      await a`commit`
      await adding
    } finally {
      a.release()
      b.release()
    }
    return (await jobsOf(task)).slice(1)
  }

  it("keep an item added while another transaction creates the key's job, which a worker takes before it ends", async () => {
    // graphile-worker's ON CONFLICT DO UPDATE ... WHERE locked_at IS NULL neither merged the second
    // item nor inserted it: it was dropped without an error (2 of 31 dispatches lost in a CI run).
    const jobs = await enqueueWhileCreated(
      "k:race",
      (task) => batchSpec("k:race", [1], task),
      (task) => batchSpec("k:race", [2], task)
    )
    expect(jobs.map((j) => [j.key, j.payload, j.locked_at !== null])).toEqual([
      [null, [{ n: 1 }], true],
      ["k:race", [{ n: 2 }], false]
    ])
  })

  it("keep a single keyed job that replaces one created by another transaction and taken at once", async () => {
    const single = (n: number) => (task: string) => ({
      identifier: task,
      payload: { n },
      job_key: "k:single",
      max_attempts: 5
    })
    const jobs = await enqueueWhileCreated("k:single", single(1), single(2))
    expect(jobs.map((j) => [j.key, j.payload, j.locked_at !== null])).toEqual([
      [null, { n: 1 }, true],
      ["k:single", { n: 2 }, false]
    ])
  })

  it("run the items together and retry only the one that failed", async () => {
    failOnce = new Set([2])
    // Enqueued before the worker starts: one job of three items.
    await enqueue([batchSpec("k:retry", [1, 2, 3])])
    await startWorker([probe], 100)
    await waitUntil("the failed item's retry is scheduled", async () => {
      const [job] = await jobsOf(TASK)
      return job !== undefined && job.attempts === 1 && job.locked_at === null
    })
    const [job] = await jobsOf(TASK)
    expect(job!.payload).toEqual([{ n: 2 }])
    // Its retry runs it alone (made due now rather than after graphile-worker's backoff).
    await owner`update graphile_worker._private_jobs set run_at = now() where key = 'k:retry'`
    await waitUntil("the retry ran", async () => (await jobsOf(TASK)).length === 0, 20_000)
    expect(runs).toEqual([[1, 2, 3], [2]])
  })

  it("start the next batch of a key when the running one ends, without waiting for a poll", async () => {
    // One batch per key at a time (its queue): items that arrive while it runs wait in the next job,
    // behind the locked queue. Ending the batch unlocks the queue, which graphile-worker does not
    // announce: without sql/0012_queue_wakeup.sql the next batch waited for the next poll (1 s by
    // default; an hour here, so only the wake-up can start it).
    const task = `wake-${randomUUID().slice(0, 8)}`
    const seen: Array<ReadonlyArray<number>> = []
    let open = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const held = defineBatchTask(task, Schema.Struct({ n: Schema.Number }), (items) =>
      Effect.promise(async () => {
        seen.push(items.map((i) => i.n))
        if (items.some((i) => i.n === 1)) await gate
        return items.map(() => Either.void)
      })
    )
    await startWorker([held], 3_600_000)
    await enqueue([batchSpec("k:wake", [1], task, "k:wake")])
    await waitUntil("the first batch runs", () => seen.length === 1)
    await enqueue([batchSpec("k:wake", [2], task, "k:wake")])
    await enqueue([batchSpec("k:wake", [3], task, "k:wake")])
    open()
    await waitUntil("the next batch ran", async () => (await jobsOf(task)).length === 0, 20_000)
    expect(seen).toEqual([[1], [2, 3]])
  })
})
