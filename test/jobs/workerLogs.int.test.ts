// With LOG_FORMAT=json every line the worker writes is one JSON object: its own lines (the pool
// started), a task's lines (annotated with the task and the job) and graphile-worker's own (a job that
// failed), all through Effect's logger as the app's logging layer configures it.
import { randomUUID } from "node:crypto"
import { ConfigProvider, Console, Effect, Exit, Layer, Schema, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { DbLive } from "../../src/db/Db.js"
import { defineTask } from "../../src/jobs/task.js"
import { WorkerLive, WorkerTasks } from "../../src/jobs/Worker.js"
import { LoggingLive } from "../../src/lib/logging.js"
import { onCleanup } from "../support/cleanup.js"
import { freshDatabase, ownerSql } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"

const TASK = `logs-${randomUUID().slice(0, 8)}`
const task = defineTask(TASK, Schema.Struct({ fail: Schema.Boolean }), (payload) =>
  payload.fail ? Effect.die("told to fail") : Effect.logInfo("the task ran")
)

// The loggers write through the fiber's Console: these lines are what would reach stderr.
const lines: Array<string> = []
const collect = (...args: ReadonlyArray<unknown>) => {
  lines.push(args.map(String).join(" "))
}
const capturing = Effect.map(Console.consoleWith(Effect.succeed), (console) => ({
  ...console,
  unsafe: { ...console.unsafe, log: collect, error: collect, warn: collect, info: collect, debug: collect }
}))

const parsed = () =>
  lines.map((line) => JSON.parse(line) as { message: unknown; logLevel: string; annotations: Record<string, unknown> })
const withMessage = (text: string) =>
  parsed().find((l) => (Array.isArray(l.message) ? l.message : [l.message]).some((m) => String(m).includes(text)))

let url: string
beforeAll(async () => {
  url = await freshDatabase()
  const provider = ConfigProvider.fromMap(
    new Map([
      ["WORKER_POLL_INTERVAL_MS", "100"],
      ["LOG_FORMAT", "json"],
      ["LOG_LEVEL", "info"]
    ])
  )
  const layer = WorkerLive.pipe(
    Layer.provide(Layer.succeed(WorkerTasks, [task])),
    Layer.provide(DbLive),
    Layer.provide(DatabaseFromUrl(url)),
    Layer.provide(LoggingLive("info")),
    Layer.provide(Layer.setConfigProvider(provider))
  )
  const scope = Effect.runSync(Scope.make())
  const console = await Effect.runPromise(capturing)
  await Effect.runPromise(Layer.buildWithScope(layer, scope).pipe(Effect.withConsole(console)))
  onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
})

describe("worker logs with LOG_FORMAT=json", () => {
  it("are JSON lines: the worker's, a task's and graphile-worker's own", async () => {
    const owner = ownerSql(url)
    await owner`select graphile_worker.add_job(${TASK}, ${owner.json({ fail: false })}::json)`
    await owner`select graphile_worker.add_job(${TASK}, ${owner.json({ fail: true })}::json, max_attempts => 1)`
    await owner.end()

    const ran = await eventually(async () => withMessage("the task ran"))
    expect(ran.annotations).toMatchObject({ task: TASK, service: "Worker" })
    expect(ran.annotations.jobId).toEqual(expect.any(String))
    // graphile-worker's own line about the failed job, through its logger (jobs/pool.ts).
    const failed = await eventually(async () =>
      parsed().find((l) => l.logLevel === "ERROR" && JSON.stringify(l.message).includes(TASK))
    )
    expect(failed.annotations).toMatchObject({ service: "Worker" })
    expect(withMessage("worker pool")).toBeDefined()
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow()
  })
})
