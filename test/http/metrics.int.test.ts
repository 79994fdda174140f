// /metrics in the split deployment: an API-only process (no jobs, no projector here) reports the job
// queue and projection lag read from the database at scrape time; a worker-only process answers
// /healthz, /readyz and /metrics on METRICS_PORT with its own job counters.
import { randomUUID } from "node:crypto"
import { ConfigProvider, Effect, Exit, Layer, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import type { Sql } from "../../src/db/Db.js"
import { freePort } from "../../src/db/embedded.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import { appendStreams } from "../../src/events/store.js"
import { ServiceLive } from "../../src/main.js"
import { activeGeneration, ensureRegistered, runBatch } from "../../src/projections/runner.js"
import { streamSummaries } from "../../src/projections/streamSummaries.js"
import { onCleanup } from "../support/cleanup.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"
import { type RunningService, startService } from "../support/service.js"
import { eventually, waitUntil } from "../support/wait.js"

const CONFIG = `
sources:
  - { id: custom, kind: generic, company: acme }
`

/** The value of one sample, by metric name and exact label set (as rendered). */
const sample = (text: string, name: string, labels: Record<string, string> = {}) => {
  const rendered = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")
  const prefix = rendered === "" ? `${name} ` : `${name}{${rendered}} `
  const line = text.split("\n").find((l) => l.startsWith(prefix))
  return line === undefined ? undefined : Number(line.slice(prefix.length))
}

const scrape = async (baseUrl: string) => {
  const response = await fetch(`${baseUrl}/metrics`)
  expect(response.status).toBe(200)
  return response.text()
}

describe("/metrics of an API-only process", () => {
  let service: RunningService
  let owner: Sql
  let sql: Sql
  beforeAll(async () => {
    service = await startService({ config: CONFIG, worker: false })
    owner = ownerSql(service.databaseUrl)
    sql = appSql(service.databaseUrl, 2)
  })

  it("reports queue depth per task and state, read from the database", async () => {
    const task = `probe-${randomUUID().slice(0, 8)}`
    const add = async (runAt = "now()") => {
      const [row] = await owner.unsafe(`select (graphile_worker.add_job($1, '{}'::json, run_at => ${runAt})).id`, [
        task
      ])
      return String(row!.id)
    }
    await add()
    await add()
    await add("now() - interval '90 seconds'")
    await add("now() + interval '1 hour'")
    const running = await add()
    await owner`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test', attempts = 1 where id = ${running}`
    const failed = await add()
    await owner`select graphile_worker.permanently_fail_jobs(array[${failed}::bigint], 'test')`

    const text = await scrape(service.baseUrl)
    expect(sample(text, "s2s_job_queue", { task, state: "queued" })).toBe(3)
    expect(sample(text, "s2s_job_queue", { task, state: "scheduled" })).toBe(1)
    expect(sample(text, "s2s_job_queue", { task, state: "running" })).toBe(1)
    expect(sample(text, "s2s_job_queue", { task, state: "failed" })).toBe(1)
    const oldest = sample(text, "s2s_job_queue_oldest_seconds", { task })!
    expect(oldest).toBeGreaterThanOrEqual(90)
    expect(oldest).toBeLessThan(150)
    expect(sample(text, "s2s_metrics_database_up")).toBe(1)

    // Drained: the task stays, at zero.
    await owner`delete from graphile_worker._private_jobs where id in (select id from graphile_worker.jobs where task_identifier = ${task})`
    const after = await scrape(service.baseUrl)
    for (const state of ["queued", "scheduled", "running", "failed"])
      expect(sample(after, "s2s_job_queue", { task, state })).toBe(0)
    expect(sample(after, "s2s_job_queue_oldest_seconds", { task })).toBe(0)
  })

  it("reports projection lag from the checkpoints, though no projector runs in the process", async () => {
    await ensureRegistered(sql, streamSummaries.name)
    await sql.begin((tx) =>
      appendStreams(tx, [
        toStoreAppend(
          {
            streamId: `config:target:${randomUUID()}`,
            expectedVersion: "any",
            events: [{ _tag: "TargetRemoved", targetId: "x" }]
          },
          {}
        )
      ])
    )
    const [row] = await sql<Array<{ max: number; age: number }>>`
      select max(global_position)::int as max, extract(epoch from clock_timestamp() - min(recorded_at))::float8 as age
      from events`
    const text = await scrape(service.baseUrl)
    expect(sample(text, "s2s_projection_lag_events", { projection: "stream_summaries" })).toBe(row!.max)
    const seconds = sample(text, "s2s_projection_lag_seconds", { projection: "stream_summaries" })!
    expect(seconds).toBeGreaterThanOrEqual(row!.age)
    expect(seconds).toBeLessThan(row!.age + 30)

    // Caught up (by another process, say): the next scrape says so.
    await waitUntil("stream_summaries caught up", async () => {
      const r = await runBatch(sql, streamSummaries, await activeGeneration(sql, streamSummaries.name), 500)
      return r._tag === "Applied" && r.checkpoint.position >= row!.max
    })
    const after = await scrape(service.baseUrl)
    expect(sample(after, "s2s_projection_lag_events", { projection: "stream_summaries" })).toBe(0)
    expect(sample(after, "s2s_projection_lag_seconds", { projection: "stream_summaries" })).toBe(0)
  })

  it("counts HTTP requests under the matched route's template, never the raw path", async () => {
    const before = await scrape(service.baseUrl)
    const orders = { route: "/api/v1/orders/:orderKey", method: "GET", status: "401" }
    const unknown = { route: "other", method: "GET", status: "404" }
    const webhook = { route: "/webhooks/:sourceId", method: "POST", status: "401" }
    expect((await fetch(`${service.baseUrl}/api/v1/orders/custom:1001`)).status).toBe(401)
    expect((await fetch(`${service.baseUrl}/no/such-route-4711`)).status).toBe(404)
    // Answered by the ingest fast path in front of the router, under the endpoint's template too.
    expect(
      (
        await fetch(`${service.baseUrl}/webhooks/custom`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}"
        })
      ).status
    ).toBe(401)
    const after = await scrape(service.baseUrl)
    for (const labels of [orders, unknown, webhook])
      expect(sample(after, "s2s_http_requests_total", labels)).toBe(
        (sample(before, "s2s_http_requests_total", labels) ?? 0) + 1
      )
    expect(after).not.toContain("custom:1001")
    expect(after).not.toContain("such-route")
  })
})

describe("a worker-only process", () => {
  let baseUrl: string
  let owner: Sql
  beforeAll(async () => {
    const databaseUrl = await freshDatabase()
    owner = ownerSql(databaseUrl)
    const port = await freePort()
    const provider = ConfigProvider.fromMap(
      new Map([
        ["METRICS_PORT", String(port)],
        ["HOST", "127.0.0.1"],
        ["LOG_LEVEL", "warning"],
        ["WORKER_POLL_INTERVAL_MS", "100"]
      ])
    ).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    const layer = ServiceLive({ api: false, worker: true }, Layer.empty, DatabaseFromUrl(databaseUrl)).pipe(
      Layer.provide(Layer.setConfigProvider(provider))
    )
    const scope = Effect.runSync(Scope.make())
    await Effect.runPromise(Layer.buildWithScope(layer, scope).pipe(Effect.provide(Layer.setConfigProvider(provider))))
    onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
    baseUrl = `http://127.0.0.1:${port}`
  })

  it("answers health checks and serves its own job metrics on METRICS_PORT", async () => {
    expect(await (await fetch(`${baseUrl}/healthz`)).json()).toEqual({ status: "ok" })
    // Not ready (503) until the worker's pool has started: wait for it, as a health check would.
    const ready = await eventually(
      async () => {
        const response = await fetch(`${baseUrl}/readyz`)
        return response.status === 200 ? response : undefined
      },
      20_000,
      "the worker-only process ready"
    )
    expect(await ready.json()).toMatchObject({ status: "ready", migrations: "current" })
    // A job of this process (its payload does not decode, so it completes at once) is counted here.
    await owner`select graphile_worker.add_job('normalize-webhook', '{}'::json)`
    const counted = { task: "normalize-webhook", outcome: "rejected" }
    let text = ""
    await waitUntil(
      "the job counted and gone from the queue",
      async () => {
        text = await scrape(baseUrl)
        // The job is counted when it ends; its row leaves the queue when the batched completion commits, a moment later.
        const queued = sample(text, "s2s_job_queue", { task: "normalize-webhook", state: "queued" })
        return (sample(text, "s2s_jobs_total", counted) ?? 0) >= 1 && queued === 0
      },
      20_000
    )
    expect(sample(text, "s2s_jobs_total", counted)).toBe(1)
    expect(text).toContain("# TYPE s2s_job_duration_seconds histogram")
    expect(sample(text, "s2s_job_queue", { task: "normalize-webhook", state: "queued" })).toBe(0)
  })
})
