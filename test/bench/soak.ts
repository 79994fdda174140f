// soak: many events through the pipeline (default 30,000, --soak-events 1000000 for the full run;
// 11 events per order: WebhookReceived, WebhookNormalized, OrderNormalized, PaymentUpdated,
// DispatchPlanned, 3 x DispatchAttempted + DispatchSucceeded) with the service's RSS sampled every 2 s
// (and its V8 heap from /metrics every 10 s). Orders are posted by 16 clients, held back while more
// than 2,000 orders are in flight, so the run measures steady state rather than a growing backlog.
// Baseline: the service's own RSS once ready, before any load.
import { countEvents, nextOrder, startRig, TARGETS, waitForDispatches, warmUp } from "./flow.js"
import { deliver, webhookPool } from "./load.js"
import {
  type BenchDatabase,
  type BenchOptions,
  cpuPercent,
  cpuSample,
  describeCpu,
  detail,
  markLoad,
  note,
  record,
  sleep
} from "./support.js"

const EVENTS_PER_ORDER = 5 + 2 * TARGETS
const CLIENTS = 16
const MAX_IN_FLIGHT_ORDERS = 2_000

const heapUsedMb = async (baseUrl: string) => {
  const text = await fetch(`${baseUrl}/metrics`)
    .then((r) => r.text())
    .catch(() => "")
  const m = /^s2s_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text)
  return m ? Number(m[1]) / 2 ** 20 : undefined
}

export const soakBench = async (db: BenchDatabase, options: BenchOptions) => {
  const events = options.soakEvents ?? 30_000
  const orders = Math.max(1, Math.ceil(events / EVENTS_PER_ORDER))
  const rig = await startRig(db)
  const samples: Array<{ t: number; rssMb: number | undefined; heapMb?: number | undefined; orders: number }> = []
  try {
    const atReady = rig.service.rssMb() ?? Number.NaN
    await warmUp(rig)
    markLoad(`soak, ${orders} orders (${orders * EVENTS_PER_ORDER} events)`)
    const recordedFrom = (await countEvents(rig.sql, ["DispatchSucceeded"])).DispatchSucceeded ?? 0
    const t0 = performance.now()
    const answeredFrom = rig.fake.dispatched()
    const completed = () => Math.floor((rig.fake.dispatched() - answeredFrom) / TARGETS)
    let sampling = true
    const sampler = (async () => {
      for (let i = 0; sampling; i++) {
        samples.push({
          t: Math.round((performance.now() - t0) / 1000),
          rssMb: rig.service.rssMb(),
          ...(i % 5 === 0 ? { heapMb: await heapUsedMb(rig.service.baseUrl) } : {}),
          orders: completed()
        })
        await sleep(2000)
      }
    })()
    const before = cpuSample(rig.groups)
    const pool = webhookPool(rig.service.baseUrl, CLIENTS)
    let sent = 0
    let refused = 0
    let firstError: string | undefined
    let lastReport = performance.now()
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (sent < orders) {
          if (sent - completed() > MAX_IN_FLIGHT_ORDERS) {
            await sleep(50)
            continue
          }
          sent++
          const r = await deliver(pool, nextOrder()).catch((e: unknown) => ({ status: 0, ms: 0, text: String(e) }))
          if (r.status !== 202) {
            refused++
            firstError ??= `HTTP ${r.status}: ${r.text.slice(0, 300)}`
          }
          if (performance.now() - lastReport > 30_000) {
            lastReport = performance.now()
            const s = samples.at(-1)
            console.log(
              `  ... ${completed()}/${orders} orders done after ${Math.round((lastReport - t0) / 1000)} s, RSS ${s?.rssMb?.toFixed(0)} MB`
            )
          }
        }
      })
    )
    await pool.close()
    if (refused > 0) throw new Error(`${refused} webhooks refused; first: ${firstError}`)
    await waitForDispatches(rig, recordedFrom + orders * TARGETS, answeredFrom + orders * TARGETS)
    const seconds = (performance.now() - t0) / 1000
    const cpu = cpuPercent(before, cpuSample(rig.groups))
    // Idle a little: what is kept after the load is what would leak.
    await sleep(10_000)
    sampling = false
    await sampler
    const rss = samples.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]))
    const heap = samples.flatMap((s) => (s.heapMb === undefined ? [] : [s.heapMb]))
    const peak = Math.max(...rss)
    const end = rss.at(-1) ?? Number.NaN
    const firstQuarter = rss.slice(0, Math.max(1, Math.floor(rss.length / 4)))
    const lastQuarter = rss.slice(Math.floor((rss.length * 3) / 4))
    const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
    const [total] = await rig.sql<Array<{ n: string }>>`select count(*) as n from events`
    record({
      benchmark: "soak",
      case: `${orders * EVENTS_PER_ORDER} events (${orders} orders)`,
      value: (orders * EVENTS_PER_ORDER) / seconds,
      unit: "events/s"
    })
    record({ benchmark: "soak", case: "RSS at start (ready, idle)", value: atReady, unit: "MB" })
    record({
      benchmark: "soak",
      case: "RSS after warm-up",
      value: rss[0] ?? Number.NaN,
      unit: "MB",
      baseline: atReady,
      ratio: (rss[0] ?? Number.NaN) / atReady
    })
    record({
      benchmark: "soak",
      case: "RSS peak",
      value: peak,
      unit: "MB",
      baseline: atReady,
      ratio: peak / atReady,
      target: "< 256 MB"
    })
    record({
      benchmark: "soak",
      case: "RSS at end (10 s idle)",
      value: end,
      unit: "MB",
      baseline: atReady,
      ratio: end / atReady,
      target: "flat"
    })
    note(
      "soak",
      `${orders} orders in ${(seconds / 60).toFixed(1)} min (${(orders / seconds).toFixed(0)} orders/s), ${total?.n} events in the log; RSS mean first quarter ${mean(firstQuarter).toFixed(0)} MB, last quarter ${mean(lastQuarter).toFixed(0)} MB; V8 heap used ${heap.length > 0 ? `${Math.min(...heap).toFixed(0)}-${Math.max(...heap).toFixed(0)} MB, last ${heap.at(-1)?.toFixed(0)} MB` : "n/a"}; CPU: ${describeCpu(cpu)}`
    )
    detail("soak.samples", samples)
  } finally {
    await rig.close()
  }
}
