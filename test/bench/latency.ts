// latency: orders posted at a fixed rate (default 100/s, --rate) for 60 s (--seconds) into `s2s serve`
// with fake destinations; per order, webhook accepted -> last dispatch recorded, read from the log
// (WebhookReceived recorded_at -> the third DispatchSucceeded's recorded_at, both the database's
// clock), p50/p99; also split at OrderNormalized, and the 202 round trip seen by the client.
// Baseline, same database and run: graphile-worker add_job -> task start at the same rate (one job
// hop; an order takes two: normalization, then dispatch).
import { Effect } from "effect"
import { run, Logger as WorkerLogger } from "graphile-worker"
import { makeSql } from "../../src/db/Db.js"
import { WorkerConfig } from "../../src/jobs/Worker.js"
import {
  databaseNow,
  failures,
  nextOrder,
  orderTimes,
  startRig,
  TARGETS,
  WARM_UP_ORDERS,
  waitForDispatches,
  warmUp
} from "./flow.js"
import { openLoop, webhookPool } from "./load.js"
import {
  type BenchDatabase,
  type BenchOptions,
  cpuPercent,
  cpuSample,
  describeCpu,
  markLoad,
  note,
  percentiles,
  record,
  sleep
} from "./support.js"

/** add_job -> task start, at `rate` jobs/s for `count` jobs, with the worker's settings. */
const jobPickupLatency = async (url: string, rate: number, count: number) => {
  const config = await Effect.runPromise(WorkerConfig)
  const sql = makeSql(url, { max: 8, role: null })
  const latencies: Array<number> = []
  const runner = await run({
    connectionString: url,
    concurrency: config.concurrency,
    noHandleSignals: true,
    pollInterval: config.pollInterval,
    logger: new WorkerLogger(() => () => {}),
    taskList: {
      "bench-ping": async (payload) => {
        latencies.push(Date.now() - (payload as { at: number }).at)
      }
    },
    preset: {
      worker: {
        maxPoolSize: Math.max(10, config.concurrency + 2),
        localQueue: { size: config.localQueueSize },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0
      }
    }
  })
  try {
    await sleep(500)
    const started = performance.now()
    const adds: Array<Promise<unknown>> = []
    for (let i = 0; i < count; i++) {
      const wait = started + (i * 1000) / rate - performance.now()
      if (wait > 1) await sleep(wait)
      // execute(): postgres.js queries are lazy and would otherwise run only when awaited below.
      adds.push(
        sql`select graphile_worker.add_job('bench-ping', json_build_object('at', ${Date.now()}::bigint))`.execute()
      )
    }
    await Promise.all(adds)
    const deadline = Date.now() + 30_000
    while (latencies.length < count && Date.now() < deadline) await sleep(20)
  } finally {
    await runner.stop()
    await sql.end()
  }
  return percentiles(latencies)
}

export const latencyBench = async (db: BenchDatabase, options: BenchOptions) => {
  const rate = options.rate ?? 100
  const seconds = options.seconds ?? 60
  const count = Math.max(10, Math.round(rate * seconds))
  const url = await db.fresh("latency")
  markLoad("latency baseline")
  const pickup = await jobPickupLatency(url, rate, Math.min(count, rate * 10))
  record({
    benchmark: "latency",
    case: `baseline: add_job call -> task start p50, ${rate}/s`,
    value: pickup.p50,
    unit: "ms"
  })
  record({
    benchmark: "latency",
    case: `baseline: add_job call -> task start p99, ${rate}/s`,
    value: pickup.p99,
    unit: "ms"
  })

  const rig = await startRig(db, { url })
  try {
    await warmUp(rig)
    markLoad(`latency, ${rate} orders/s for ${seconds} s`)
    const since = await databaseNow(rig.sql)
    const answered = rig.fake.dispatched()
    const pool = webhookPool(rig.service.baseUrl, 32)
    const before = cpuSample(rig.groups)
    const drive = await openLoop(pool, rate, count, nextOrder)
    await pool.close()
    await waitForDispatches(rig, (WARM_UP_ORDERS + count) * TARGETS, answered + count * TARGETS)
    const cpu = cpuPercent(before, cpuSample(rig.groups))
    if (drive.refused > 0) note("latency", `${drive.refused} webhooks refused; first: ${drive.firstError}`)
    const times = await orderTimes(rig.sql, since)
    const total = percentiles(times.totalMs)
    const normalize = percentiles(times.normalizeMs)
    const ack = percentiles(drive.latenciesMs)
    const achieved = count / drive.sendSeconds
    record({
      benchmark: "latency",
      case: `webhook -> last dispatch recorded p50, ${rate}/s`,
      value: total.p50,
      unit: "ms",
      baseline: pickup.p50,
      ratio: total.p50 / pickup.p50
    })
    record({
      benchmark: "latency",
      case: `webhook -> last dispatch recorded p99, ${rate}/s`,
      value: total.p99,
      unit: "ms",
      baseline: pickup.p99,
      ratio: total.p99 / pickup.p99,
      target: "p99 < 100 ms"
    })
    record({
      benchmark: "latency",
      case: "  of which webhook -> order normalized p50",
      value: normalize.p50,
      unit: "ms"
    })
    record({
      benchmark: "latency",
      case: "  of which webhook -> order normalized p99",
      value: normalize.p99,
      unit: "ms"
    })
    record({ benchmark: "latency", case: "webhook 202 round trip p50 (client)", value: ack.p50, unit: "ms" })
    record({ benchmark: "latency", case: "webhook 202 round trip p99 (client)", value: ack.p99, unit: "ms" })
    note(
      "latency",
      `${times.totalMs.length} orders measured, sent at ${achieved.toFixed(1)}/s for ${drive.sendSeconds.toFixed(0)} s; max ${total.max.toFixed(0)} ms; CPU: ${describeCpu(cpu)}`
    )
    const failed = await failures(rig.sql)
    if (failed) note("latency", `FAILURES recorded: ${failed}`)
  } finally {
    await rig.close()
  }
}
