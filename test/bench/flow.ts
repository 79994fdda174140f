// What the pipeline benchmarks (pipeline, latency, soak) share: the service with fake destinations
// on a fresh database, probes of the stages (events recorded, jobs waiting), waiting until every
// dispatch is recorded, and per-order latencies read back from the log.
import { makeSql, type Sql } from "../../src/db/Db.js"
import {
  closedLoop,
  type FakeDestinations,
  fakeDestinations,
  orderBody,
  pipelineConfig,
  serviceEnv,
  signed,
  webhookPool
} from "./load.js"
import { type RunningService, startService } from "./service.js"
import { type BenchDatabase, type CpuGroups, postmasterPid, sleep } from "./support.js"

/** Targets each benchmark order is routed to (Google, Meta, postback). */
export const TARGETS = 3

export interface PipelineRig {
  readonly url: string
  readonly fake: FakeDestinations
  readonly service: RunningService
  /** App-role pool for reading events. */
  readonly sql: Sql
  /** Owner pool for graphile_worker's tables. */
  readonly owner: Sql
  readonly groups: CpuGroups
  readonly close: () => Promise<void>
}

export const startRig = async (
  db: BenchDatabase,
  options: { readonly url?: string; readonly apiOnly?: boolean; readonly fake?: FakeDestinations } = {}
): Promise<PipelineRig> => {
  const url = options.url ?? (await db.fresh("pipeline"))
  const fake = options.fake ?? (await fakeDestinations())
  const service = await startService({
    databaseUrl: url,
    config: pipelineConfig(fake),
    apiOnly: options.apiOnly ?? false,
    env: serviceEnv(fake)
  })
  const sql = makeSql(url, { max: 2 })
  const owner = makeSql(url, { max: 1, role: null })
  return {
    url,
    fake,
    service,
    sql,
    owner,
    groups: { service: service.pid, postgres: await postmasterPid(db) },
    close: async () => {
      await service.stop()
      await sql.end({ timeout: 5 })
      await owner.end({ timeout: 5 })
      if (options.fake === undefined) await fake.close()
    }
  }
}

let nextOrderId = 100_000_000

/** A fresh order as a signed webhook (each call a new order and a new delivery). */
export const nextOrder = () => {
  const id = ++nextOrderId
  return signed(orderBody(id), `bench-order-${id}`)
}

export const WARM_UP_ORDERS = 60

/** A few orders through every stage first (connections open, JIT warm, Google token cached). */
export const warmUp = async (rig: PipelineRig) => {
  const recorded = (await countEvents(rig.sql, ["DispatchSucceeded"])).DispatchSucceeded ?? 0
  const answered = rig.fake.dispatched()
  const pool = webhookPool(rig.service.baseUrl, 8)
  let n = 0
  await closedLoop(
    pool,
    8,
    () => (n++ < WARM_UP_ORDERS ? nextOrder() : undefined),
    () => false
  )
  await pool.close()
  await waitForDispatches(rig, recorded + WARM_UP_ORDERS * TARGETS, answered + WARM_UP_ORDERS * TARGETS)
}

export const countEvents = async (sql: Sql, types: ReadonlyArray<string>) => {
  const rows = await sql<Array<{ type: string; n: string }>>`
    select type, count(*) as n from events where type = any(${types as Array<string>}::text[]) group by type`
  const counts: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]))
  for (const r of rows) counts[r.type] = Number(r.n)
  return counts
}

/** Jobs waiting or running, per task (a batch job counts its items). */
export const pendingJobs = async (owner: Sql) => {
  const rows = await owner<Array<{ task: string; n: string }>>`
    select t.identifier as task,
           sum(case when json_typeof(j.payload) = 'array' then json_array_length(j.payload) else 1 end) as n
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    group by t.identifier`
  return Object.fromEntries(rows.map((r) => [r.task, Number(r.n)])) as Record<string, number>
}

const FAILURES = ["DispatchFailed", "DispatchSkipped", "DispatchDeadLettered", "NormalizationFailed", "OrderIgnored"]

/**
 * Waits until `expected` DispatchSucceeded events are recorded in the database; the fake destinations'
 * counter reaching `answered` says when to start asking. Fails after no progress for `stallMs`.
 */
export const waitForDispatches = async (rig: PipelineRig, expected: number, answered = expected, stallMs = 60_000) => {
  let last = -1
  let lastChange = Date.now()
  for (;;) {
    const sent = rig.fake.dispatched()
    if (sent >= answered) {
      const counts = await countEvents(rig.sql, ["DispatchSucceeded"])
      if ((counts.DispatchSucceeded ?? 0) >= expected) return performance.now()
    }
    if (sent !== last) {
      last = sent
      lastChange = Date.now()
    } else if (Date.now() - lastChange > stallMs) {
      const counts = await countEvents(rig.sql, ["DispatchSucceeded", ...FAILURES])
      throw new Error(
        `no dispatch progress for ${stallMs / 1000} s: ${sent}/${answered} answered; events ${JSON.stringify(counts)}; jobs ${JSON.stringify(await pendingJobs(rig.owner))}\nservice output:\n${rig.service.output().slice(-3000)}`
      )
    }
    await sleep(sent >= answered ? 20 : 100)
  }
}

/** Failures recorded so far (should be none), as a sentence, or undefined. */
export const failures = async (sql: Sql) => {
  const counts = await countEvents(sql, FAILURES)
  const nonZero = Object.entries(counts).filter(([, n]) => n > 0)
  return nonZero.length === 0 ? undefined : nonZero.map(([t, n]) => `${n} ${t}`).join(", ")
}

export interface OrderTimes {
  /** WebhookReceived recorded -> OrderNormalized recorded. */
  readonly normalizeMs: Array<number>
  /** WebhookReceived recorded -> last DispatchSucceeded recorded. */
  readonly totalMs: Array<number>
  /** Each completed order's last DispatchSucceeded and its OrderNormalized, epoch ms. */
  readonly doneAt: Array<number>
  readonly normalizedAt: Array<number>
}

/** Per-order times read from the log, for orders whose webhook was recorded at or after `since`. */
export const orderTimes = async (sql: Sql, since: Date): Promise<OrderTimes> => {
  const rows = await sql<Array<{ normalize_ms: number; total_ms: number; done_at: number; normalized_at: number }>>`
    with w as (
      select data->>'webhookId' as webhook_id, recorded_at from events
      where type = 'WebhookReceived' and recorded_at >= ${since}
    ), n as (
      select stream_id, data->>'webhookId' as webhook_id, recorded_at from events where type = 'OrderNormalized'
    ), d as (
      select stream_id, max(recorded_at) as done, count(*) as c from events
      where type = 'DispatchSucceeded' group by stream_id
    )
    select extract(epoch from n.recorded_at - w.recorded_at)::float8 * 1000 as normalize_ms,
           extract(epoch from d.done - w.recorded_at)::float8 * 1000 as total_ms,
           extract(epoch from d.done)::float8 * 1000 as done_at,
           extract(epoch from n.recorded_at)::float8 * 1000 as normalized_at
    from w join n using (webhook_id) join d using (stream_id)
    where d.c >= ${TARGETS}`
  return {
    normalizeMs: rows.map((r) => r.normalize_ms),
    totalMs: rows.map((r) => r.total_ms),
    doneAt: rows.map((r) => r.done_at),
    normalizedAt: rows.map((r) => r.normalized_at)
  }
}

/** Items per second over the middle 80% of a set of completion times (ms), ignoring ramp-up and tail. */
export const middleRate = (times: ReadonlyArray<number>) => {
  const sorted = Float64Array.from(times).sort()
  if (sorted.length < 10) return Number.NaN
  const a = sorted[Math.floor(sorted.length * 0.1)]!
  const b = sorted[Math.floor(sorted.length * 0.9)]!
  return b > a ? (sorted.length * 0.8) / ((b - a) / 1000) : Number.NaN
}

/** The database's clock (recorded_at is the database's now()). */
export const databaseNow = async (sql: Sql) => (await sql<Array<{ now: Date }>>`select now() as now`)[0]!.now

/**
 * The service's event-loop delay since the previous scrape (prom-client resets it on each collect),
 * in ms: high values mean the process waited for CPU (its own work or its neighbours').
 */
export const eventLoopLag = async (baseUrl: string) => {
  const text = await fetch(`${baseUrl}/metrics`)
    .then((r) => r.text())
    .catch(() => "")
  const value = (name: string) => {
    const m = new RegExp(`^s2s_nodejs_eventloop_lag_${name}_seconds (\\S+)`, "m").exec(text)
    return m ? Number(m[1]) * 1000 : Number.NaN
  }
  return { mean: value("mean"), p99: value("p99"), max: value("max") }
}

/** Mean job durations per task from the service's /metrics (s2s_job_duration_seconds). */
export const jobDurations = async (baseUrl: string) => {
  const text = await fetch(`${baseUrl}/metrics`)
    .then((r) => r.text())
    .catch(() => "")
  const sums = new Map<string, number>()
  const counts = new Map<string, number>()
  for (const line of text.split("\n")) {
    const m = /^s2s_job_duration_seconds_(sum|count)\{task="([^"]+)"\} ([\d.e+-]+)/.exec(line)
    if (!m) continue
    ;(m[1] === "sum" ? sums : counts).set(m[2]!, Number(m[3]))
  }
  return [...counts].map(([task, n]) => ({ task, jobs: n, meanMs: ((sums.get(task) ?? 0) / Math.max(1, n)) * 1000 }))
}
