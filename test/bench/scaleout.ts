// scaleout: how worker processes share one database. The same backlog of signed paid orders (routed
// to Google, Meta and a postback on fake destinations that answer at once) is ingested with the worker
// off, then drained by one `serve --worker-only` process, and, on a second database with the same
// backlog, by two. Each drain's rate is orders completed per second over the middle 80% of
// completions (ramp-up and tail left out), read from the log. Baseline: the one-process drain of the
// same run. Target (issue 16): two processes >= 1.6x one, where the cores allow: on a 2-core machine
// PostgreSQL and the load share the same cores, so the note gives the CPU each part took.
import * as os from "node:os"
import { makeSql } from "../../src/db/Db.js"
import { countEvents, failures, middleRate, nextOrder, orderTimes, startRig, TARGETS } from "./flow.js"
import { closedLoop, type FakeDestinations, fakeDestinations, pipelineConfig, serviceEnv, webhookPool } from "./load.js"
import { type RunningService, startService } from "./service.js"
import {
  type BenchDatabase,
  type BenchOptions,
  cpuPercent,
  cpuSample,
  markLoad,
  note,
  postmasterPid,
  record,
  sleep,
  treeCpuSeconds
} from "./support.js"

const CLIENTS = 32

/** A database holding `orders` accepted webhooks and no work done on them yet. */
const backlog = async (db: BenchDatabase, name: string, orders: number, fake: FakeDestinations) => {
  const url = await db.fresh(name)
  const api = await startRig(db, { url, apiOnly: true, fake })
  try {
    const pool = webhookPool(api.service.baseUrl, CLIENTS)
    let n = 0
    const result = await closedLoop(
      pool,
      CLIENTS,
      () => (n++ < orders ? nextOrder() : undefined),
      () => false
    )
    await pool.close()
    if (result.refused > 0) throw new Error(`${result.refused} webhooks refused; first: ${result.firstError}`)
  } finally {
    await api.close()
  }
  return url
}

/** Drains a backlog with `processes` worker-only services; orders/s over the middle 80%, and CPU. */
const drain = async (db: BenchDatabase, url: string, orders: number, processes: number, fake: FakeDestinations) => {
  const sql = makeSql(url, { max: 2 })
  const workers: Array<RunningService> = []
  try {
    // Started one after the other, each ready before the next: the drain starts with the first.
    for (let i = 0; i < processes; i++)
      workers.push(
        await startService({ databaseUrl: url, config: pipelineConfig(fake), workerOnly: true, env: serviceEnv(fake) })
      )
    const postgres = await postmasterPid(db)
    const serviceCpu = () => workers.reduce((sum, w) => sum + (treeCpuSeconds(w.pid) ?? 0), 0)
    const before = { ...cpuSample({ postgres }), services: serviceCpu() }
    for (;;) {
      const done = (await countEvents(sql, ["DispatchSucceeded"])).DispatchSucceeded ?? 0
      if (done >= orders * TARGETS) break
      await sleep(200)
    }
    const after = { ...cpuSample({ postgres }), services: serviceCpu() }
    const wall = (after.at - before.at) / 1000
    const cpu = cpuPercent(before, after)
    const times = await orderTimes(sql, new Date(0))
    const failed = await failures(sql)
    if (failed) note("scaleout", `FAILURES recorded (${processes} process(es)): ${failed}`)
    return {
      rate: middleRate(times.doneAt),
      servicePct: ((after.services - before.services) / wall) * 100,
      cpu
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await sql.end({ timeout: 5 })
  }
}

export const scaleoutBench = async (db: BenchDatabase, options: BenchOptions) => {
  const orders = options.orders ?? 2_000
  const fake = await fakeDestinations()
  try {
    // Both backlogs first, so the two drains run back to back under the same conditions.
    const one = await backlog(db, "scaleout1", orders, fake)
    const two = await backlog(db, "scaleout2", orders, fake)
    markLoad(`scaleout: ${orders} orders waiting, 1 worker process`)
    const single = await drain(db, one, orders, 1, fake)
    markLoad(`scaleout: ${orders} orders waiting, 2 worker processes`)
    const pair = await drain(db, two, orders, 2, fake)
    record({
      benchmark: "scaleout",
      case: `1 worker-only process, ${orders} orders waiting`,
      value: single.rate,
      unit: "orders/s"
    })
    record({
      benchmark: "scaleout",
      case: `2 worker-only processes, ${orders} orders waiting`,
      value: pair.rate,
      unit: "orders/s",
      baseline: single.rate,
      ratio: pair.rate / single.rate,
      target: ">= 1.6x"
    })
    for (const [label, r] of [
      ["1 process", single],
      ["2 processes", pair]
    ] as const)
      note(
        "scaleout",
        `${label}: CPU while draining: worker processes ${r.servicePct.toFixed(0)}% of one core in all, postgres ${(r.cpu.postgres ?? Number.NaN).toFixed(0)}% (${os.cpus().length} cores)`
      )
  } finally {
    await fake.close()
  }
}
