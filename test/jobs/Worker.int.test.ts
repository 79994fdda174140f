// The worker bridge: a job whose payload does not decode is completed once, logged without its
// values, and never retried; a valid one runs.
import { randomUUID } from "node:crypto"
import { ConfigProvider, Effect, Exit, Layer, Logger, Schema, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { DbLive, type Sql } from "../../src/db/Db.js"
import { defineTask } from "../../src/jobs/task.js"
import { WorkerLive, WorkerTasks } from "../../src/jobs/Worker.js"
import { jobsTotal } from "../../src/lib/metrics.js"
import { onCleanup } from "../support/cleanup.js"
import { freshDatabase, ownerSql } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

const TASK = `probe-${randomUUID().slice(0, 8)}`
const ran: Array<number> = []
const logs: Array<string> = []
const probe = defineTask(TASK, Schema.Struct({ n: Schema.Number, email: Schema.String }), (payload) =>
  Effect.sync(() => ran.push(payload.n))
)

let owner: Sql
beforeAll(async () => {
  const url = await freshDatabase()
  owner = ownerSql(url)
  const provider = ConfigProvider.fromMap(new Map([["WORKER_POLL_INTERVAL_MS", "100"]]))
  const layer = WorkerLive.pipe(
    Layer.provide(Layer.succeed(WorkerTasks, [probe])),
    Layer.provide(DbLive),
    Layer.provide(DatabaseFromUrl(url)),
    Layer.provide(
      Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => logs.push(String(message)))
      )
    ),
    Layer.provide(Layer.setConfigProvider(provider))
  )
  const scope = Effect.runSync(Scope.make())
  await Effect.runPromise(Layer.buildWithScope(layer, scope))
  onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
})

const jobs = () =>
  owner<Array<{ id: string; attempts: number; last_error: string | null }>>`
    select id, attempts, last_error from graphile_worker.jobs where task_identifier = ${TASK}`

const rejected = async () =>
  (await jobsTotal.get()).values.find((v) => v.labels.task === TASK && v.labels.outcome === "rejected")?.value ?? 0

describe("worker tasks", () => {
  it("completes a job whose payload does not decode, once, without retrying it or logging its values", async () => {
    await owner`select graphile_worker.add_job(${TASK}, ${owner.json({ n: "not a number", email: "ann@example.com" })}::json)`
    await owner`select graphile_worker.add_job(${TASK}, ${owner.json({ n: 7, email: "bob@example.com" })}::json)`
    await waitUntil("both jobs done", async () => (await jobs()).length === 0, 20_000)
    expect(await jobs()).toEqual([])
    expect(ran).toEqual([7])
    expect(await rejected()).toBe(1)
    const line = logs.find((l) => l.includes("does not decode"))
    expect(line).toMatch(new RegExp(`of ${TASK} has a payload that does not decode \\(n: Type\\)`))
    expect(line).not.toContain("not a number")
    expect(line).not.toContain("ann@example.com")
  })
})
