// pipeline: end to end, sustained orders/s. Signed paid orders (gclid, fbc, awc) go into `s2s serve`
// (HTTP API + worker, a child process); each is normalized, routed to 3 targets (Google Data Manager,
// Meta CAPI, an affiliate postback) and dispatched to fake destinations on loopback that answer at
// once; an order counts when its 3 DispatchSucceeded are recorded. Two cases:
//   end to end: 32 clients post the orders as fast as the service takes them; orders/s from the first
//     post to the last dispatch recorded; a timeline (webhooks accepted, jobs waiting per task,
//     dispatches answered, CPU per process) shows which stage falls behind;
//   worker only: the same orders ingested first with the worker off, then drained by the worker, which
//     gives the normalize and dispatch stages' own throughput (middle 80% of completions).
// Baseline, same database, same run: graphile-worker trivial jobs/s with the worker's settings
// (localQueue, batched completion, concurrency from WORKER_CONCURRENCY / WORKER_LOCAL_QUEUE_SIZE).
import { Effect } from "effect"
import { run, Logger as WorkerLogger } from "graphile-worker"
import { makeSql } from "../../src/db/Db.js"
import { WorkerConfig } from "../../src/jobs/Worker.js"
import {
  countEvents,
  databaseNow,
  eventLoopLag,
  failures,
  jobDurations,
  middleRate,
  nextOrder,
  orderTimes,
  type PipelineRig,
  pendingJobs,
  startRig,
  TARGETS,
  WARM_UP_ORDERS,
  waitForDispatches,
  warmUp
} from "./flow.js"
import { closedLoop, fakeDestinations, webhookPool } from "./load.js"
import {
  type BenchDatabase,
  type BenchOptions,
  type CpuSample,
  cpuPercent,
  cpuSample,
  describeCpu,
  detail,
  fmtPct,
  markLoad,
  note,
  percentiles,
  record,
  rssPeak,
  sleep
} from "./support.js"

const CLIENTS = 32
/** Jobs per order: one normalization, one dispatch per target. */
const JOBS_PER_ORDER = 1 + TARGETS

/** graphile-worker trivial jobs/s: `count` no-op jobs added with add_jobs, run until drained. */
export const trivialJobsPerSecond = async (url: string, count: number) => {
  const config = await Effect.runPromise(WorkerConfig)
  const owner = makeSql(url, { max: 1, role: null })
  await owner`
    select count(*) from graphile_worker.add_jobs(array(
      select row('bench-noop', json_build_object('n', n), null, null, null, null, null, null)::graphile_worker.job_spec
      from generate_series(1, ${count}) n))`
  let done = 0
  let finished = () => {}
  const allDone = new Promise<void>((resolve) => {
    finished = resolve
  })
  const started = performance.now()
  const runner = await run({
    connectionString: url,
    concurrency: config.concurrency,
    noHandleSignals: true,
    pollInterval: config.pollInterval,
    logger: new WorkerLogger(() => () => {}),
    taskList: {
      "bench-noop": async () => {
        if (++done === count) finished()
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
  await allDone
  const seconds = (performance.now() - started) / 1000
  await runner.stop()
  const [left] = await owner<Array<{ n: string }>>`select count(*) as n from graphile_worker._private_jobs`
  await owner.end()
  if (Number(left?.n ?? 0) > 0) throw new Error(`${left?.n} trivial jobs were left after the baseline run`)
  return { jobsPerSecond: count / seconds, config }
}

interface TimelinePoint {
  readonly t: number
  readonly accepted: number
  readonly normalizeWaiting: number
  readonly dispatchWaiting: number
  readonly dispatched: number
  readonly cpu: { service?: number | undefined; postgres?: number | undefined; bench?: number | undefined }
  /** CPU seconds used by the service and postgres since the previous point. */
  readonly serviceCpuSeconds: number
  readonly postgresCpuSeconds: number
}

/** Samples the stages every second until stopped. */
const timeline = (rig: PipelineRig, accepted: () => number, dispatchedFrom: number) => {
  const points: Array<TimelinePoint> = []
  const t0 = performance.now()
  let previous: CpuSample | undefined
  let running = true
  const probe = async () => {
    const jobs = await pendingJobs(rig.owner).catch(() => ({}) as Record<string, number>)
    const now = cpuSample(rig.groups)
    const delta = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 0 : b - a)
    points.push({
      t: Math.round((performance.now() - t0) / 100) / 10,
      accepted: accepted(),
      normalizeWaiting: (jobs["normalize-webhook"] ?? 0) + (jobs["normalize-batch"] ?? 0),
      dispatchWaiting: (jobs["dispatch-order"] ?? 0) + (jobs["dispatch-batch"] ?? 0),
      dispatched: rig.fake.dispatched() - dispatchedFrom,
      cpu: previous === undefined ? {} : cpuPercent(previous, now),
      serviceCpuSeconds: delta(previous?.service, now.service),
      postgresCpuSeconds: delta(previous?.postgres, now.postgres)
    })
    previous = now
  }
  const loop = (async () => {
    await probe()
    while (running) {
      await sleep(1000)
      await probe()
    }
  })()
  return {
    points,
    stop: async () => {
      running = false
      await loop
      return points
    }
  }
}

/**
 * CPU per job of each stage from a worker-only drain: normalization jobs all run before the dispatch
 * jobs they create (graphile-worker takes jobs by run_at), so intervals with normalization jobs left
 * are normalization, the others dispatch. Includes the projector, which runs alongside.
 */
const stageCosts = (points: ReadonlyArray<TimelinePoint>) => {
  const acc = { normalize: { jobs: 0, cpu: 0, pg: 0 }, dispatch: { jobs: 0, cpu: 0, pg: 0 } }
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]!
    const cur = points[i]!
    const stage = prev.normalizeWaiting > 0 ? acc.normalize : acc.dispatch
    stage.jobs +=
      stage === acc.normalize
        ? Math.max(0, prev.normalizeWaiting - cur.normalizeWaiting)
        : Math.max(0, cur.dispatched - prev.dispatched)
    stage.cpu += cur.serviceCpuSeconds
    stage.pg += cur.postgresCpuSeconds
  }
  const per = (s: { jobs: number; cpu: number; pg: number }) => ({
    jobs: s.jobs,
    serviceMs: (s.cpu * 1000) / Math.max(1, s.jobs),
    postgresMs: (s.pg * 1000) / Math.max(1, s.jobs)
  })
  return { normalize: per(acc.normalize), dispatch: per(acc.dispatch) }
}

const printTimeline = (points: ReadonlyArray<TimelinePoint>) => {
  console.log(
    "    t(s)  webhooks 202  normalize jobs waiting  dispatch jobs waiting  dispatches answered  CPU service/pg/bench"
  )
  const step = Math.max(1, Math.ceil(points.length / 30))
  points.forEach((p, i) => {
    if (i % step !== 0 && i !== points.length - 1) return
    console.log(
      `    ${String(p.t).padStart(4)}  ${String(p.accepted).padStart(12)}  ${String(p.normalizeWaiting).padStart(22)}  ${String(p.dispatchWaiting).padStart(21)}  ${String(p.dispatched).padStart(19)}  ${fmtPct(p.cpu.service)}/${fmtPct(p.cpu.postgres)}/${fmtPct(p.cpu.bench)}`
    )
  })
}

/** Posts `orders` new orders with `clients` clients as fast as they are taken. */
const postOrders = async (rig: PipelineRig, orders: number, onAccepted?: () => void) => {
  const pool = webhookPool(rig.service.baseUrl, CLIENTS)
  let n = 0
  const result = await closedLoop(
    pool,
    CLIENTS,
    () => (n++ < orders ? nextOrder() : undefined),
    () => false,
    onAccepted
  )
  await pool.close()
  if (result.refused > 0) throw new Error(`${result.refused} webhooks refused; first: ${result.firstError}`)
  return result
}

export const pipelineBench = async (db: BenchDatabase, options: BenchOptions) => {
  const orders = options.orders ?? 2000
  const url = await db.fresh("pipeline")
  markLoad("pipeline baseline")
  const trivial = await trivialJobsPerSecond(url, 20_000)
  const baseline = trivial.jobsPerSecond
  const settings = `concurrency ${trivial.config.concurrency}, localQueue ${trivial.config.localQueueSize}`
  record({ benchmark: "pipeline", case: `baseline: trivial jobs (${settings})`, value: baseline, unit: "jobs/s" })

  // End to end.
  const rig = await startRig(db, { url })
  try {
    const idleRss = rig.service.rssMb() ?? Number.NaN
    const memory = rssPeak(rig.service.pid)
    await warmUp(rig)
    markLoad(`pipeline end to end, ${orders} orders`)
    const since = await databaseNow(rig.sql)
    await eventLoopLag(rig.service.baseUrl)
    const connectionsFrom = { ...rig.fake.connections }
    const dispatchedFrom = rig.fake.dispatched()
    let accepted = 0
    const probe = timeline(rig, () => accepted, dispatchedFrom)
    const before = cpuSample(rig.groups)
    const started = performance.now()
    const drive = await postOrders(rig, orders, () => accepted++)
    const ingested = performance.now()
    const done = await waitForDispatches(rig, (WARM_UP_ORDERS + orders) * TARGETS)
    const peakRss = memory.stop()
    record({
      benchmark: "pipeline",
      case: "end to end: service RSS peak",
      value: peakRss,
      unit: "MB",
      baseline: idleRss,
      ratio: peakRss / idleRss,
      target: "< 256 MB"
    })
    const cpu = cpuPercent(before, cpuSample(rig.groups))
    const lag = await eventLoopLag(rig.service.baseUrl)
    const points = await probe.stop()
    const seconds = (done - started) / 1000
    const rate = orders / seconds
    record({
      benchmark: "pipeline",
      case: `end to end, ${orders} orders, ${CLIENTS} clients`,
      value: rate,
      unit: "orders/s",
      baseline,
      ratio: rate / baseline,
      target: ">= 1,000 orders/s"
    })
    record({
      benchmark: "pipeline",
      case: `end to end, jobs run (${JOBS_PER_ORDER} per order)`,
      value: rate * JOBS_PER_ORDER,
      unit: "jobs/s",
      baseline,
      ratio: (rate * JOBS_PER_ORDER) / baseline
    })
    const ingestRate = drive.accepted / drive.seconds
    record({
      benchmark: "pipeline",
      case: "end to end: webhooks accepted while posting",
      value: ingestRate,
      unit: "202/s"
    })
    const times = await orderTimes(rig.sql, since)
    const webhookLatency = percentiles(drive.latenciesMs)
    note(
      "pipeline",
      `end to end: ${orders} orders posted in ${drive.seconds.toFixed(1)} s (${Math.round(ingestRate)}/s, 202 p50 ${webhookLatency.p50.toFixed(0)} ms, p99 ${webhookLatency.p99.toFixed(0)} ms); last dispatch ${((done - ingested) / 1000).toFixed(1)} s after the last 202; normalized ${Math.round(middleRate(times.normalizedAt))} orders/s and completed ${Math.round(middleRate(times.doneAt))} orders/s (middle 80%)`
    )
    note(
      "pipeline",
      `end to end CPU: ${describeCpu(cpu)}; service CPU per order ${(((cpu.service ?? Number.NaN) * 10) / rate).toFixed(1)} ms, postgres ${(((cpu.postgres ?? Number.NaN) * 10) / rate).toFixed(1)} ms; service event-loop delay mean ${lag.mean.toFixed(0)} ms, p99 ${lag.p99.toFixed(0)} ms`
    )
    const opened = (k: "meta" | "google" | "postback") => rig.fake.connections[k] - connectionsFrom[k]
    note(
      "pipeline",
      `new TCP connections to the destinations for ${orders} orders: Meta ${opened("meta")}, Google ${opened("google")}, postback ${opened("postback")}`
    )
    const peak = points.reduce(
      (m, p) => ({ n: Math.max(m.n, p.normalizeWaiting), d: Math.max(m.d, p.dispatchWaiting) }),
      { n: 0, d: 0 }
    )
    note("pipeline", `end to end: jobs waiting peaked at ${peak.n} normalize, ${peak.d} dispatch`)
    const durations = await jobDurations(rig.service.baseUrl)
    note(
      "pipeline",
      `mean job duration in the service: ${durations.map((d) => `${d.task} ${d.meanMs.toFixed(1)} ms (${d.jobs})`).join(", ")}`
    )
    const failed = await failures(rig.sql)
    if (failed) note("pipeline", `FAILURES recorded: ${failed}`)
    console.log("  timeline (end to end):")
    printTimeline(points)
    detail("pipeline.timeline", points)
  } finally {
    await rig.close()
  }

  // Worker only: a backlog ingested with the worker off, then drained.
  const backlogUrl = await db.fresh("pipelinebacklog")
  const fake = await fakeDestinations()
  try {
    const api = await startRig(db, { url: backlogUrl, apiOnly: true, fake })
    try {
      await postOrders(api, orders)
    } finally {
      await api.close()
    }
    markLoad(`pipeline worker only, ${orders} orders waiting`)
    const since = new Date(0)
    const drain = await startRig(db, { url: backlogUrl, fake })
    try {
      const probe = timeline(drain, () => orders, 0)
      const before = cpuSample(drain.groups)
      await waitForDispatches(drain, orders * TARGETS)
      const cpu = cpuPercent(before, cpuSample(drain.groups))
      const points = await probe.stop()
      const costs = stageCosts(points)
      note(
        "pipeline",
        `worker only, CPU per job (projector included): normalize ${costs.normalize.serviceMs.toFixed(1)} ms service + ${costs.normalize.postgresMs.toFixed(1)} ms postgres (${costs.normalize.jobs} jobs), dispatch ${costs.dispatch.serviceMs.toFixed(1)} ms service + ${costs.dispatch.postgresMs.toFixed(1)} ms postgres (${costs.dispatch.jobs} jobs)`
      )
      console.log("  timeline (worker only):")
      printTimeline(points)
      detail("pipeline.workerOnly.timeline", points)
      const times = await orderTimes(drain.sql, since)
      const normalized = middleRate(times.normalizedAt)
      const completed = middleRate(times.doneAt)
      const first = Math.min(...times.normalizedAt)
      const last = Math.max(...times.doneAt)
      const overall = times.doneAt.length / ((last - first) / 1000)
      record({
        benchmark: "pipeline",
        case: `worker only, ${orders} orders waiting: drained`,
        value: overall,
        unit: "orders/s",
        baseline,
        ratio: overall / baseline
      })
      record({
        benchmark: "pipeline",
        case: "worker only: normalize stage (middle 80%)",
        value: normalized,
        unit: "orders/s",
        baseline,
        ratio: normalized / baseline
      })
      record({
        benchmark: "pipeline",
        case: "worker only: orders completed (middle 80%)",
        value: completed,
        unit: "orders/s",
        baseline,
        ratio: completed / baseline
      })
      note(
        "pipeline",
        `worker only CPU: ${describeCpu(cpu)}; service CPU per order ${(((cpu.service ?? Number.NaN) * 10) / overall).toFixed(1)} ms, postgres ${(((cpu.postgres ?? Number.NaN) * 10) / overall).toFixed(1)} ms`
      )
      const counts = await countEvents(drain.sql, ["DispatchSucceeded"])
      if ((counts.DispatchSucceeded ?? 0) !== orders * TARGETS)
        note("pipeline", `worker only: ${counts.DispatchSucceeded} DispatchSucceeded, expected ${orders * TARGETS}`)
      const failed = await failures(drain.sql)
      if (failed) note("pipeline", `FAILURES recorded (worker only): ${failed}`)
    } finally {
      await drain.close()
    }
  } finally {
    await fake.close()
  }
}
