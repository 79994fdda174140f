// fairness: webhooks accepted by one `serve` process while its own worker drains a backlog, against
// the same process's API alone (issue row "ingest while the same process drains a backlog": >= 50%
// of the api-only rate). A backlog of --orders orders (default 3,000; 3 targets each) is ingested
// with the worker off; then, on the same database:
//   baseline: `serve --api-only` takes signed orders from 8, then 32 clients, --seconds each;
//   while draining: `serve` (API + worker) starts on the backlog and takes the same load while its
//     worker drains; the backlog must outlast both cases (checked: jobs still waiting at the end).
// The worker's environment (WORKER_SLICE_MS, WORKER_CONCURRENCY, ...) is the bench's own, so an A/B
// is an env switch. BENCH_FAIRNESS_WAITS=1 samples what PostgreSQL's active backends wait for.
import type { Sql } from "../../src/db/Db.js"
import { countEvents, eventLoopLag, nextOrder, startRig } from "./flow.js"
import { closedLoop, fakeDestinations, webhookPool } from "./load.js"
import { type BenchDatabase, type BenchOptions, markLoad, note, record } from "./support.js"

const CLIENTS = [8, 32] as const

const drive = async (baseUrl: string, clients: number, seconds: number) => {
  const pool = webhookPool(baseUrl, clients)
  const until = performance.now() + seconds * 1000
  try {
    const result = await closedLoop(
      pool,
      clients,
      () => nextOrder(),
      () => performance.now() >= until
    )
    if (result.refused > 0)
      note("fairness", `${clients} clients: ${result.refused} refused; first: ${result.firstError}`)
    const sorted = [...result.latenciesMs].sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
    return { rate: result.accepted / result.seconds, p50: at(0.5), p99: at(0.99) }
  } finally {
    await pool.close()
  }
}

const waiting = async (sql: Sql) => {
  const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from graphile_worker.jobs`
  return row?.n ?? 0
}

export const fairnessBench = async (db: BenchDatabase, options: BenchOptions) => {
  const orders = options.orders ?? 3000
  const seconds = options.seconds ?? 5
  const url = await db.fresh("fairness")
  const fake = await fakeDestinations()
  const setting = ["WORKER_CONCURRENCY_WHILE_RECEIVING", "WORKER_CONCURRENCY", "WORKER_SLICE_MS"]
    .map((name) => `${name}=${process.env[name] ?? "default"}`)
    .join(", ")
  try {
    const baseline = new Map<number, number>()
    const api = await startRig(db, { url, apiOnly: true, fake })
    try {
      markLoad(`fairness backlog, ${orders} orders`)
      const backlog = webhookPool(api.service.baseUrl, 32)
      let n = 0
      await closedLoop(
        backlog,
        32,
        () => (n++ < orders ? nextOrder() : undefined),
        () => false
      )
      await backlog.close()
      for (const clients of CLIENTS) {
        markLoad(`fairness api-only, ${clients} clients`)
        const r = await drive(api.service.baseUrl, clients, seconds)
        baseline.set(clients, r.rate)
        record({
          benchmark: "fairness",
          case: `baseline: api-only, ${clients} clients`,
          value: r.rate,
          unit: "202/s"
        })
      }
    } finally {
      await api.close()
    }
    const rig = await startRig(db, { url, fake })
    try {
      for (const clients of CLIENTS) {
        markLoad(`fairness while draining, ${clients} clients`)
        const dispatchedBefore = rig.fake.dispatched()
        const progress = async () =>
          Object.values(await countEvents(rig.sql, ["OrderNormalized", "DispatchSucceeded"])).reduce((a, b) => a + b, 0)
        const progressBefore = await progress()
        await eventLoopLag(rig.service.baseUrl) // read once: the figures below are this case's
        const waits = new Map<string, number>()
        let sampling = process.env.BENCH_FAIRNESS_WAITS === "1"
        const sampler = (async () => {
          while (sampling) {
            const rows = await rig.owner<Array<{ k: string }>>`
              select coalesce(wait_event_type, 'cpu') || ':' || coalesce(wait_event, '-') || ' ' || left(translate(query, E'\\n', ' '), 60) as k
              from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`
            for (const { k } of rows) waits.set(k, (waits.get(k) ?? 0) + 1)
            await new Promise((r) => setTimeout(r, 50))
          }
        })()
        const r = await drive(rig.service.baseUrl, clients, seconds)
        sampling = false
        await sampler
        for (const [k, n] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${n} ${k}`)
        const base = baseline.get(clients)!
        record({
          benchmark: "fairness",
          case: `accepted while the same process drains a backlog, ${clients} clients (${setting})`,
          value: r.rate,
          unit: "202/s",
          baseline: base,
          ratio: r.rate / base,
          target: ">= 0.5x the api-only rate"
        })
        const lag = await eventLoopLag(rig.service.baseUrl)
        note(
          "fairness",
          `${clients} clients while draining: 202 p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; service event-loop delay mean ${lag.mean.toFixed(0)} ms, p99 ${lag.p99.toFixed(0)} ms; the worker meanwhile normalized or dispatched ${Math.round(((await progress()) - progressBefore) / seconds)} orders or dispatches/s (${Math.round((rig.fake.dispatched() - dispatchedBefore) / seconds)} dispatches/s answered)`
        )
      }
      const left = await waiting(rig.owner)
      if (left === 0) note("fairness", "the backlog ran out before the end: raise --orders")
      else note("fairness", `${left} jobs still waiting at the end (the backlog lasted)`)
    } finally {
      await rig.close()
    }
  } finally {
    await fake.close()
  }
}
