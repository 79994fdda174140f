// Batched normalization against the real service: webhooks delivered together while no worker runs
// wait as the normalize-batch jobs of their group commits (fewer jobs and job runs than webhooks); two
// webhooks of one order delivered together both land on the order; a webhook that does not parse
// fails alone. Then a batch whose one
// append fails (a conflict, injected) falls back to each webhook's own path: each is normalized once.
import * as fs from "node:fs"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { AlertingNone } from "../../src/alerts/Alerting.js"
import { ConfigStateLive } from "../../src/config/ConfigState.js"
import { SecretsLive } from "../../src/config/Secrets.js"
import type { Sql } from "../../src/db/Db.js"
import { EventStore, makeEventStore, WrongExpectedVersion } from "../../src/events/EventStore.js"
import { Normalizer, NormalizerLive } from "../../src/normalize/NormalizeJob.js"
import { appSql, dbLayer, ownerSql } from "../support/db.js"
import { type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { waitUntil } from "../support/wait.js"

const SECRET = "shpss_normalize_batch"
const ORDERS = 30
let partner: FakeServer
let api: RunningService
let sql: Sql
let owner: Sql
let config: string

const paid = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
const created = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-create.json", "utf8")) as Record<
  string,
  unknown
>

/** Posts a Shopify webhook; returns its webhook id. */
const deliver = async (body: Record<string, unknown>, topic: string, header: string) => {
  const text = JSON.stringify(body)
  const res = await post(
    `${api.baseUrl}/webhooks/shop`,
    text,
    shopifyHeaders(text, SECRET, { "x-shopify-topic": topic, "x-shopify-webhook-id": header })
  )
  expect(res.status).toBe(202)
  return ((await res.json()) as { webhookId: string }).webhookId
}

const order = (base: Record<string, unknown>, id: number) => ({
  ...base,
  id,
  admin_graphql_api_id: `gid://shopify/Order/${id}`
})

/** Each webhook's normalization records, in order. */
const records = async (webhookIds: ReadonlyArray<string>) => {
  const rows = await sql<Array<{ stream_id: string; type: string; data: { outcome?: string; orderKey?: string } }>>`
    select stream_id, type, data from events
    where stream_id = any(${webhookIds.map((id) => `webhook-${id}`)}::text[])
      and type in ('WebhookNormalized', 'NormalizationFailed')
    order by stream_id, stream_version`
  const byWebhook = new Map<
    string,
    Array<{ type: string; outcome?: string | undefined; orderKey?: string | undefined }>
  >()
  for (const r of rows) {
    const id = r.stream_id.slice("webhook-".length)
    byWebhook.set(id, [
      ...(byWebhook.get(id) ?? []),
      { type: r.type, outcome: r.data.outcome, orderKey: r.data.orderKey }
    ])
  }
  return byWebhook
}

const allRecorded = async (webhookIds: ReadonlyArray<string>) => (await records(webhookIds)).size === webhookIds.length

const orderTypes = async (orderKey: string) =>
  (
    await sql<
      Array<{ type: string }>
    >`select type from events where stream_id = ${`order-${orderKey}`} order by stream_version`
  ).map((r) => r.type)

const queuedBatches = () =>
  owner<Array<{ task: string; items: number }>>`
    select t.identifier as task,
           (case when json_typeof(j.payload) = 'array' then json_array_length(j.payload) else 1 end)::int as items
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier in ('normalize-batch', 'normalize-webhook')`

/**
 * What the pipeline holds, for a wait that gives up: the orders planned and never attempted, dispatch
 * events by type, the jobs left.
 */
const pipelineState = async () => {
  const events = await sql<Array<{ type: string; n: number }>>`
    select type, count(*)::int as n from events where type like 'Dispatch%' group by type order by type`
  const jobs = await owner<Array<Record<string, unknown>>>`
    select t.identifier as task, j.attempts, j.max_attempts, j.run_at, j.locked_at, j.locked_by, j.key,
           left(j.last_error, 200) as last_error
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    order by j.id`
  const missing = await sql<Array<{ stream_id: string }>>`
    select stream_id from events where type = 'DispatchPlanned'
    except select stream_id from events where type = 'DispatchAttemptStarted'`
  return `missing ${JSON.stringify(missing.map((m) => m.stream_id))}; events ${JSON.stringify(events)}; partner requests ${partner.requests.length}; jobs ${JSON.stringify(jobs)}; now ${new Date().toISOString()}`
}

const metric = (text: string, name: string, labels: ReadonlyArray<string>) => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)))
  return Number(line?.split(" ").at(-1) ?? 0)
}

beforeAll(async () => {
  partner = await fakeServer()
  config = `
sources: [{ id: shop, kind: shopify, company: acme, market: DE, secret: env:NB_SECRET }]
partners: [{ id: google, when: [gclid] }]
targets: [{ id: sink, channel: postback, url: "${partner.url}/t?ref={order_id}" }]
rules: [{ id: all, company: "*", product: "*", partner: "*", target: sink }]
`
  // The API alone: what it accepts waits in the queue until a worker starts.
  api = await startService({ env: { NB_SECRET: SECRET }, config })
  sql = appSql(api.databaseUrl)
  owner = ownerSql(api.databaseUrl)
})

describe("batched normalization", () => {
  it("collects waiting webhooks into batches; one order's two webhooks both apply; a bad one fails alone", async () => {
    // Delivered at once: the group commit bundles concurrent deliveries, and the webhooks of one group
    // commit are one normalize-batch job (sql/0015_group_commit_batches.sql).
    const ids = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => deliver(order(paid, 7_100_000 + i), "orders/paid", `nb-${i}`))
    )
    // One order's payment and creation, at once (in one batch when one group commit takes both).
    const sameOrder = await Promise.all([
      deliver(order(paid, 7_200_000), "orders/paid", "nb-same-paid"),
      deliver(order(created, 7_200_000), "orders/create", "nb-same-create")
    ])
    // A refund without its order id: it cannot be normalized (missing field).
    const bad = await deliver({ id: 991 }, "refunds/create", "nb-bad")
    const all = [...ids, ...sameOrder, bad]

    const queued = await queuedBatches()
    expect(queued.every((j) => j.task === "normalize-batch")).toBe(true)
    expect(queued.length).toBeLessThan(all.length)
    expect(queued.reduce((n, j) => n + j.items, 0)).toBe(all.length)

    // Counters are the process's (test files share it): counted from here.
    const before = await (await fetch(`${api.baseUrl}/metrics`)).text()
    const runsBefore = metric(before, "s2s_job_duration_seconds_count", ['task="normalize-batch"'])
    const failuresBefore = metric(before, "s2s_normalization_failures_total", [
      'source="shop"',
      'reason="missing_field"'
    ])
    const worker = await startService({
      worker: true,
      databaseUrl: api.databaseUrl,
      env: { NB_SECRET: SECRET },
      config
    })
    await waitUntil("every webhook normalized or failed", () => allRecorded(all), 60_000, pipelineState)
    const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text()
    const runs = metric(metrics, "s2s_job_duration_seconds_count", ['task="normalize-batch"']) - runsBefore
    expect(runs).toBeGreaterThan(0)
    expect(runs).toBeLessThan(all.length)
    expect(
      metric(metrics, "s2s_normalization_failures_total", ['source="shop"', 'reason="missing_field"']) - failuresBefore
    ).toBe(1)

    // Exactly one record per webhook.
    const recorded = await records(all)
    for (const id of all) expect(recorded.get(id)).toHaveLength(1)
    for (const id of ids) expect(recorded.get(id)).toEqual([expect.objectContaining({ outcome: "changed" })])
    expect(recorded.get(bad)).toEqual([expect.objectContaining({ type: "NormalizationFailed" })])
    // Both webhooks of the order applied: the payment made it paid and planned once, the creation
    // arrived after it (its own snapshot merged or nothing new).
    expect(recorded.get(sameOrder[0]!)).toEqual([
      expect.objectContaining({ outcome: "changed", orderKey: "shop:7200000" })
    ])
    expect(recorded.get(sameOrder[1]!)).toEqual([
      expect.objectContaining({ type: "WebhookNormalized", orderKey: "shop:7200000" })
    ])
    const types = await orderTypes("shop:7200000")
    expect(types.filter((t) => t === "PaymentUpdated")).toHaveLength(1)
    expect(types.filter((t) => t === "DispatchPlanned")).toHaveLength(1)

    // Every good order is dispatched once.
    const succeeded = async () =>
      Number((await sql`select count(*) from events where type = 'DispatchSucceeded'`)[0]!.count)
    await waitUntil("every order dispatched", async () => (await succeeded()) >= ORDERS + 1, 60_000, pipelineState)
    expect(await succeeded()).toBe(ORDERS + 1)
    expect(partner.requests).toHaveLength(ORDERS + 1)
    await worker.stop()
  }, 120_000)

  it("falls back to each webhook's own path when the batch's append fails", async () => {
    const ids: Array<string> = []
    for (let i = 0; i < 3; i++) ids.push(await deliver(order(paid, 7_300_000 + i), "orders/paid", `nb-conflict-${i}`))
    // The batch's append (the one carrying several webhooks' markers) meets a conflict, once.
    const batchAppends: Array<number> = []
    const conflicting = Layer.effect(
      EventStore,
      Effect.map(makeEventStore, (store) => ({
        ...store,
        appendMany: (appends, options) => {
          const webhooks = new Set(appends.map((a) => a.streamId).filter((s) => s.startsWith("webhook-")))
          if (webhooks.size < 2) return store.appendMany(appends, options)
          batchAppends.push(webhooks.size)
          return new WrongExpectedVersion({ streamId: appends[0]!.streamId, expectedVersion: 1, actualVersion: 2 })
        }
      }))
    )
    const layer = NormalizerLive.pipe(
      Layer.provide(Layer.mergeAll(conflicting, AlertingNone)),
      Layer.provideMerge(ConfigStateLive),
      Layer.provideMerge(Layer.merge(dbLayer(api.databaseUrl), SecretsLive)),
      Layer.orDie
    )
    const results = await Effect.runPromise(
      Effect.flatMap(Normalizer, (n) => n.runBatch([...ids, ids[0]!].map((webhookId) => ({ webhookId })))).pipe(
        Effect.provide(layer)
      )
    )
    expect(results.map((r) => r._tag)).toEqual(["Right", "Right", "Right", "Right"])
    expect(batchAppends).toEqual([3])
    const recorded = await records(ids)
    for (const id of ids) expect(recorded.get(id)).toEqual([expect.objectContaining({ outcome: "changed" })])
    for (let i = 0; i < 3; i++)
      expect((await orderTypes(`shop:${7_300_000 + i}`)).filter((t) => t === "DispatchPlanned")).toHaveLength(1)
  })
})
