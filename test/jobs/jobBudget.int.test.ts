// The worker's memory budget through graphile-worker on a real database: with room for 2 MiB of job
// payload and 16 job slots, 1 MiB jobs run two at a time, never more, while jobs without a weight
// run beside them; a job heavier than the whole budget runs alone. The probe task holds each
// weighted job until the test lets it go, so what runs together is decided by the budget alone.
import { randomUUID } from "node:crypto"
import { ConfigProvider, Effect, Either, Exit, Layer, Logger, Schema, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { DbLive, type Sql } from "../../src/db/Db.js"
import { budgetRuns, jobWeight, weighJob } from "../../src/jobs/jobBudget.js"
import { defineBatchTask, defineTask } from "../../src/jobs/task.js"
import { WorkerLive, WorkerTasks } from "../../src/jobs/Worker.js"
import { onCleanup } from "../support/cleanup.js"
import { freshDatabase, ownerSql } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

const MiB = 1024 * 1024
const BUDGET = 2 * MiB
const TASK = `budget-${randomUUID().slice(0, 8)}`
const BATCH_TASK = `budget-batch-${randomUUID().slice(0, 8)}`

/** Weighted jobs running now (name -> bytes), the most bytes seen at once, and each job's gate. */
const running = new Map<string, number>()
const together: Array<ReadonlyArray<string>> = []
let most = 0
const gates = new Map<string, () => void>()
const done = new Set<string>()

const probe = defineTask(TASK, Schema.Struct({ name: Schema.String, bytes: Schema.optional(Schema.Number) }), (p) =>
  p.bytes === undefined
    ? Effect.sync(() => done.add(p.name))
    : Effect.async<void>((resume) => {
        running.set(p.name, p.bytes!)
        together.push([...running.keys()])
        most = Math.max(
          most,
          [...running.values()].reduce((a, b) => a + b, 0)
        )
        gates.set(p.name, () => {
          running.delete(p.name)
          done.add(p.name)
          resume(Effect.void)
        })
      })
)

/** The runs of batch jobs, each as its items' names. */
const batchRuns: Array<ReadonlyArray<string>> = []

// A batch task: each run is held like a probe job (named after its items), weighing its items' bytes.
const Item = Schema.Struct({ name: Schema.String, bytes: Schema.optional(Schema.Number) })
const batchProbe = defineBatchTask(BATCH_TASK, Item, (items) => {
  const name = items.map((i) => i.name).join("+")
  const bytes = items.reduce((sum, i) => sum + (i.bytes ?? 0), 0)
  return Effect.async<ReadonlyArray<Either.Either<void, unknown>>>((resume) => {
    batchRuns.push(items.map((i) => i.name))
    running.set(name, bytes)
    together.push([...running.keys()])
    most = Math.max(
      most,
      [...running.values()].reduce((a, b) => a + b, 0)
    )
    gates.set(name, () => {
      running.delete(name)
      for (const i of items) done.add(i.name)
      resume(Effect.succeed(items.map(() => Either.void)))
    })
  })
})

let owner: Sql
beforeAll(async () => {
  const url = await freshDatabase()
  owner = ownerSql(url)
  const provider = ConfigProvider.fromMap(
    new Map([
      ["WORKER_POLL_INTERVAL_MS", "100"],
      ["WORKER_CONCURRENCY", "16"],
      ["WORKER_MAX_BYTES_IN_FLIGHT", String(BUDGET)]
    ])
  )
  const layer = WorkerLive.pipe(
    Layer.provide(Layer.succeed(WorkerTasks, [probe, batchProbe])),
    Layer.provide(DbLive),
    Layer.provide(DatabaseFromUrl(url)),
    Layer.provide(Logger.replace(Logger.defaultLogger, Logger.none)),
    Layer.provide(Layer.setConfigProvider(provider))
  )
  const scope = Effect.runSync(Scope.make())
  await Effect.runPromise(Layer.buildWithScope(layer, scope))
  onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
})

const enqueue = async (name: string, bytes?: number) => {
  const job = bytes === undefined ? { payload: { name } } : weighJob({ payload: { name } }, bytes)
  await owner`select graphile_worker.add_job(${TASK}, ${owner.json(job.payload as never)}::json)`
}

const enqueueBatch = async (items: ReadonlyArray<{ name: string; bytes: number }>) => {
  await owner`select graphile_worker.add_job(${BATCH_TASK}, ${owner.json(items as never)}::json)`
}

const until = (what: string, condition: () => boolean) => waitUntil(what, condition, 30_000)

/** Lets go of the weighted jobs as they start, until every named one has run. */
const drain = async (names: ReadonlyArray<string>) => {
  await until(`${names.join(", ")} to run`, () => {
    for (const [name, open] of gates) {
      gates.delete(name)
      open()
    }
    return names.every((n) => done.has(n))
  })
}

describe("the worker's memory budget", () => {
  it("reads a job's weight from its payload's bytes, and weighs jobs by their data", () => {
    expect(jobWeight({ webhookId: "w", bytes: 1_048_576 })).toBe(1_048_576)
    expect(jobWeight({ webhookId: "w" })).toBe(0)
    expect(jobWeight({ bytes: "1000" })).toBe(0)
    expect(jobWeight(null)).toBe(0)
    expect(weighJob({ task: "t", payload: { orderKey: "k" } }, 512)).toEqual({
      task: "t",
      payload: { orderKey: "k", bytes: 512 }
    })
  })

  it("runs 1 MiB jobs two at a time with a 2 MiB budget, and unweighted jobs beside them", async () => {
    const big = ["big-1", "big-2", "big-3", "big-4", "big-5"]
    for (const name of big) await enqueue(name, MiB)
    // Two start and are held; the others wait for room (in their slots, holding no data).
    await until("two 1 MiB jobs to start", () => running.size === 2)
    const small = ["small-1", "small-2", "small-3"]
    for (const name of small) await enqueue(name)
    await until("the unweighted jobs to run while the budget is full", () => small.every((n) => done.has(n)))
    expect(running.size).toBe(2)
    await drain(big)
    expect(most).toBe(BUDGET)
    expect(together.every((names) => names.length <= 2)).toBe(true)
  })

  it("runs a job heavier than the whole budget alone", async () => {
    together.length = 0
    most = 0
    await enqueue("huge", 5 * MiB)
    await enqueue("after-1", MiB)
    await enqueue("after-2", MiB)
    await drain(["huge", "after-1", "after-2"])
    const withHuge = together.filter((names) => names.includes("huge"))
    expect(withHuge).toEqual([["huge"]])
    expect(together.every((names) => names.length <= 2)).toBe(true)
  })

  it("splits a batch job's items into runs that fit the budget, one after another", () => {
    const item = (name: string, bytes: number) => ({ name, bytes })
    const big = ["a", "b", "c", "d", "e"].map((n) => item(n, MiB))
    expect(budgetRuns(big, BUDGET).map((run) => run.map((i) => i.name))).toEqual([["a", "b"], ["c", "d"], ["e"]])
    // Small items are one run; an item heavier than the budget is a run of its own.
    const small = Array.from({ length: 100 }, (_, i) => item(`s${i}`, 1024))
    expect(budgetRuns(small, BUDGET)).toEqual([small])
    const mixed = [item("x", 1024), item("huge", 5 * MiB), item("y", 1024), item("z", 1024)]
    expect(budgetRuns(mixed, BUDGET).map((run) => run.map((i) => i.name))).toEqual([["x"], ["huge"], ["y", "z"]])
    expect(budgetRuns([], BUDGET)).toEqual([])
  })

  it("runs a batch job of 1 MiB items in runs that fit the budget, never more than the budget at once", async () => {
    together.length = 0
    batchRuns.length = 0
    most = 0
    const first = ["b1", "b2", "b3", "b4", "b5"]
    const second = ["c1", "c2", "c3"]
    await enqueueBatch(first.map((name) => ({ name, bytes: MiB })))
    await enqueueBatch(second.map((name) => ({ name, bytes: MiB })))
    await drain([...first, ...second])
    // Each job's items in order, two at a time at most: neither job read all of its items at once.
    expect(batchRuns.filter((run) => run[0]!.startsWith("b"))).toEqual([["b1", "b2"], ["b3", "b4"], ["b5"]])
    expect(batchRuns.filter((run) => run[0]!.startsWith("c"))).toEqual([["c1", "c2"], ["c3"]])
    expect(most).toBeLessThanOrEqual(BUDGET)
  })

  it("runs a batch job of small items in one run", async () => {
    batchRuns.length = 0
    const names = Array.from({ length: 20 }, (_, i) => `small-batch-${i}`)
    await enqueueBatch(names.map((name) => ({ name, bytes: 1024 })))
    await drain(names)
    expect(batchRuns).toEqual([names])
  })
})
