// ingest: signed ~1 KB Shopify webhooks over HTTP into `s2s serve --api-only` (a child process) with
// N = 8 and 32 concurrent keep-alive clients; a request counts once its 202 came back (raw payload and
// normalization job committed). Baseline, same run, same database, same concurrency: a bare one-row
// INSERT of the same body through postgres.js. Ceilings beside them show where the time goes:
//  - the same load against a bare node:http server that answers 202 without a database (the HTTP and
//    load-generator cost on this machine);
//  - the same load against a minimal durable ingest (bareHttp.ts: node:http, the HMAC check, JSON.parse
//    and a group-committed multi-row INSERT of the bodies into the baseline's table, without and with
//    one add_jobs call per batch): the most any webhook ingest over HTTP could reach here, since it
//    does less than the service must (no event store, no dedup, no Effect);
//  - the group committer fed in-process by N loops (the database's share, without HTTP or the service).
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { makeSql, type Sql } from "../../src/db/Db.js"
import { webhookStream } from "../../src/events/streams.js"
import { rawBody } from "../../src/ingest/body.js"
import { type Delivery, makeGroupCommitter } from "../../src/ingest/GroupCommit.js"
import { NORMALIZE_TASK, webhookIdFor } from "../../src/ingest/Ingest.js"
import { closedLoop, ingestConfig, orderBody, serviceEnv, signed, webhookPool } from "./load.js"
import { startService } from "./service.js"
import {
  type BenchDatabase,
  type BenchOptions,
  cpuPercent,
  cpuSample,
  describeCpu,
  markLoad,
  note,
  percentiles,
  postmasterPid,
  record,
  rssPeak
} from "./support.js"

const CLIENTS = [8, 32] as const

const deadline = (ms: number) => {
  const at = performance.now() + ms
  return () => performance.now() > at
}

/** The baseline: `clients` loops, each inserting the body in its own transaction, until `until()`. */
const baselineLoop = async (sql: Sql, clients: number, body: string, until: () => boolean) => {
  const latenciesMs: Array<number> = []
  let ops = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        const t = performance.now()
        await sql`insert into bench_ingest_baseline (body) values (${body}::jsonb)`
        latenciesMs.push(performance.now() - t)
        ops++
      }
    })
  )
  return { ops, latenciesMs, seconds: (performance.now() - started) / 1000 }
}

/** A bareHttp.ts server as a child process, with this process's loader (tsx). */
const startBareHttp = async (args: ReadonlyArray<string> = []) => {
  const file = fileURLToPath(new URL("./bareHttp.ts", import.meta.url))
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, file, ...args], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim())))
    child.once("exit", (code) => reject(new Error(`the bare HTTP server exited (${code})`)))
  })
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      })
  }
}

/** The delivery the service would build for a signed Shopify webhook (Ingest.ts), without HTTP. */
const deliveryOf = (body: Buffer, dedupKey: string): Delivery => {
  const webhookId = webhookIdFor("shop-bench", dedupKey)
  return {
    streamId: webhookStream(webhookId),
    received: {
      _tag: "WebhookReceived",
      webhookId,
      sourceId: "shop-bench",
      kind: "shopify",
      topic: "orders/paid",
      dedupKey,
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": "orders/paid",
        "x-shopify-webhook-id": dedupKey
      },
      receivedAt: new Date().toISOString(),
      remoteAddress: "127.0.0.1",
      body: rawBody(body)
    },
    job: {
      task: NORMALIZE_TASK,
      payload: { webhookId, bytes: body.length },
      jobKey: `normalize:${webhookId}`,
      maxAttempts: 10
    },
    metadata: { actor: "webhook:shop-bench", correlationId: webhookId }
  }
}

/** `clients` loops submitting to one group committer (the service's defaults) until `until()`. */
const committerLoop = async (sql: Sql, clients: number, body: Buffer, until: () => boolean) => {
  const committer = makeGroupCommitter(sql, { maxBatch: 200, maxInFlight: 2 })
  let ops = 0
  let n = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        await committer.submit(deliveryOf(body, `bench-committer-${process.pid}-${++n}`))
        ops++
      }
    })
  )
  return ops / ((performance.now() - started) / 1000)
}

export const ingestBench = async (db: BenchDatabase, options: BenchOptions) => {
  const seconds = options.seconds ?? 5
  const url = await db.fresh("ingest")
  const body = orderBody(1)
  note(
    "ingest",
    `body ${Buffer.byteLength(body)} bytes; ${seconds} s per case, baseline and webhooks alternating in 1 s slices; each client one keep-alive connection`
  )
  const owner = makeSql(url, { max: 1, role: null })
  await owner`create table bench_ingest_baseline (id bigint generated always as identity primary key, body jsonb not null)`
  await owner`grant select, insert on bench_ingest_baseline to s2s_app`
  await owner.end()

  const service = await startService({ databaseUrl: url, config: ingestConfig, apiOnly: true, env: serviceEnv() })
  const groups = { service: service.pid, postgres: await postmasterPid(db) }
  const idleRss = service.rssMb() ?? Number.NaN
  const memory = rssPeak(service.pid)
  let webhook = 0
  const next = () => signed(body, `bench-ingest-${++webhook}`)
  try {
    for (const clients of CLIENTS) {
      markLoad(`ingest ${clients} clients`)
      const sql = makeSql(url, { max: clients })
      const pool = webhookPool(service.baseUrl, clients)
      // Warm-up: connections open, JIT warm, on both sides.
      const warm = performance.now() + 1000
      await baselineLoop(sql, clients, body, () => performance.now() > warm)
      const warm2 = performance.now() + 1000
      await closedLoop(pool, clients, next, () => performance.now() > warm2)
      // The machine is shared and noisy: baseline and webhooks alternate in 1 s slices, so both see
      // the same neighbours.
      const base = { ops: 0, seconds: 0, latenciesMs: [] as Array<number> }
      const hooks = { ops: 0, seconds: 0, latenciesMs: [] as Array<number>, refused: 0, firstError: "" }
      let cpuTotals = { service: 0, postgres: 0, bench: 0 }
      const slices = Math.max(1, Math.round(seconds))
      const slice = (seconds * 1000) / slices
      for (let i = 0; i < slices; i++) {
        const b = await baselineLoop(sql, clients, body, deadline(slice))
        base.ops += b.ops
        base.seconds += b.seconds
        base.latenciesMs.push(...b.latenciesMs)
        const before = cpuSample(groups)
        const r = await closedLoop(pool, clients, next, deadline(slice))
        const cpu = cpuPercent(before, cpuSample(groups))
        cpuTotals = {
          service: cpuTotals.service + (cpu.service ?? 0) / slices,
          postgres: cpuTotals.postgres + (cpu.postgres ?? 0) / slices,
          bench: cpuTotals.bench + (cpu.bench ?? 0) / slices
        }
        hooks.ops += r.accepted
        hooks.seconds += r.seconds
        hooks.latenciesMs.push(...r.latenciesMs)
        hooks.refused += r.refused
        hooks.firstError ||= r.firstError ?? ""
      }
      await pool.close()
      // The ceilings, each after a warm-up, for half a case's time.
      const ceilingMs = Math.max(1000, (seconds * 1000) / 2)
      const againstBare = async (args: ReadonlyArray<string>) => {
        const bare = await startBareHttp(args)
        const barePool = webhookPool(bare.baseUrl, clients)
        try {
          await closedLoop(barePool, clients, next, deadline(500))
          const run = await closedLoop(barePool, clients, next, deadline(ceilingMs))
          if (run.refused > 0)
            note(
              "ingest",
              `bare server ${args.join(" ") || "(no database)"}: ${run.refused} refused; first: ${run.firstError}`
            )
          return run.accepted / run.seconds
        } finally {
          await barePool.close()
          await bare.stop()
        }
      }
      const bareRate = await againstBare([])
      const minimal = await againstBare([url, "insert"])
      const minimalJobs = await againstBare([url, "insert-jobs"])
      const bytes = Buffer.from(body)
      await committerLoop(sql, clients, bytes, deadline(500))
      const committed = await committerLoop(sql, clients, bytes, deadline(ceilingMs))
      await sql.end()
      if (hooks.refused > 0)
        note("ingest", `${clients} clients: ${hooks.refused} requests refused; first: ${hooks.firstError}`)
      const baseline = base.ops / base.seconds
      const rate = hooks.ops / hooks.seconds
      const baseLat = percentiles(base.latenciesMs)
      const lat = percentiles(hooks.latenciesMs)
      record({
        benchmark: "ingest",
        case: `baseline: bare 1-row INSERT, ${clients} clients`,
        value: baseline,
        unit: "rows/s"
      })
      record({
        benchmark: "ingest",
        case: `webhooks, ${clients} clients`,
        value: rate,
        unit: "202/s",
        baseline,
        ratio: rate / baseline,
        target: ">= 1.0x"
      })
      record({
        benchmark: "ingest",
        case: `latency p50, ${clients} clients`,
        value: lat.p50,
        unit: "ms",
        baseline: baseLat.p50,
        ratio: lat.p50 / baseLat.p50
      })
      record({
        benchmark: "ingest",
        case: `latency p99, ${clients} clients`,
        value: lat.p99,
        unit: "ms",
        baseline: baseLat.p99,
        ratio: lat.p99 / baseLat.p99
      })
      record({
        benchmark: "ingest",
        case: `ceiling: bare node:http 202, no database, ${clients} clients`,
        value: bareRate,
        unit: "202/s"
      })
      record({
        benchmark: "ingest",
        case: `ceiling: minimal ingest (node:http, HMAC, JSON.parse, group-committed INSERT), ${clients} clients`,
        value: minimal,
        unit: "202/s",
        baseline,
        ratio: minimal / baseline
      })
      record({
        benchmark: "ingest",
        case: `ceiling: minimal ingest + add_jobs per batch, ${clients} clients`,
        value: minimalJobs,
        unit: "202/s",
        baseline,
        ratio: minimalJobs / baseline
      })
      record({
        benchmark: "ingest",
        case: `ceiling: group commit fed in-process, no HTTP, ${clients} loops`,
        value: committed,
        unit: "deliveries/s",
        baseline,
        ratio: committed / baseline
      })
      const perRequest = (pct: number) => ((pct / 100) * 1000) / rate
      note(
        "ingest",
        `${clients} clients: CPU during the webhook slices: ${describeCpu(cpuTotals)}; per accepted webhook: service ${perRequest(cpuTotals.service).toFixed(2)} ms, postgres ${perRequest(cpuTotals.postgres).toFixed(2)} ms`
      )
    }
    const peakRss = memory.stop()
    record({
      benchmark: "ingest",
      case: "service RSS peak (api-only)",
      value: peakRss,
      unit: "MB",
      baseline: idleRss,
      ratio: peakRss / idleRss,
      target: "< 256 MB"
    })
  } finally {
    memory.stop()
    await service.stop()
  }
}
