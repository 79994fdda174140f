// npm run bench [-- names...] [--seconds N] [--orders N] [--rate N] [--events N] [--soak-events N]:
// runs the benchmarks (default: all), prints a table and writes JSON to bench-results/. Every figure
// sits beside a baseline measured in the same run.
//   append    event store append at batch 1/10/100             (--seconds per case, default 5)
//   ingest    webhooks over HTTP, 8 and 32 clients             (--seconds per case, default 5)
//   pipeline  webhook -> 3 dispatches, sustained orders/s     (--orders, default 2000)
//   latency   fixed rate, webhook -> last dispatch p50/p99    (--rate default 100/s, --seconds default 60)
//   rebuild   conversions projection from a generated log     (--events, default 1,000,000)
//   soak      events through the pipeline, RSS sampled        (--soak-events, default 30,000)
//   console   each console page's API calls and browser render, demo data and generated orders
//                                                              (--orders, default 100,000)
//   bodies    3 x 64 concurrent 1 MiB webhooks, RSS sampled   (a long note, then 7,000 line items)
//   memory    ingest, pipeline and bodies, their peak RSS summed up (target < 256 MB, no heap flag)
//   channels  1,000 dispatches per channel to a loopback server: single sends vs one sendBatch
//   scaleout  a backlog drained by 1, then 2 worker-only processes (--orders, default 2,000)
//   fairness  webhooks accepted while the same process drains a backlog, vs its API alone
//                                                              (--orders backlog, default 3,000; --seconds)
import { appendBench } from "./append.js"
import { bodiesBench } from "./bodies.js"
import { channelsBench } from "./channels.js"
import { consoleBench } from "./console.js"
import { fairnessBench } from "./fairness.js"
import { ingestBench } from "./ingest.js"
import { latencyBench } from "./latency.js"
import { memoryBench } from "./memory.js"
import { pipelineBench } from "./pipeline.js"
import { rebuildBench } from "./rebuild.js"
import { scaleoutBench } from "./scaleout.js"
import { serviceNodeArgs } from "./service.js"
import { soakBench } from "./soak.js"
import { type BenchDatabase, type BenchOptions, benchDatabase, cleanups, report } from "./support.js"

const args = process.argv.slice(2)
const VALUED = ["--seconds", "--orders", "--rate", "--events", "--soak-events"]
const numberAfter = (flag: string) => {
  const i = args.indexOf(flag)
  if (i < 0) return undefined
  const n = Number(args[i + 1]?.replace(/_/g, ""))
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`)
  return n
}
const unknownFlag = args.find((a) => a.startsWith("--") && !VALUED.includes(a))
if (unknownFlag) throw new Error(`unknown option ${unknownFlag} (known: ${VALUED.join(", ")})`)
const options: BenchOptions = {
  seconds: numberAfter("--seconds"),
  orders: numberAfter("--orders"),
  rate: numberAfter("--rate"),
  events: numberAfter("--events"),
  soakEvents: numberAfter("--soak-events")
}
const names = args.filter((a, i) => !a.startsWith("--") && !VALUED.includes(args[i - 1] ?? ""))

const benches: Record<string, (db: BenchDatabase, options: BenchOptions) => Promise<void>> = {
  append: (db, o) => appendBench(db, o.seconds ?? 5),
  ingest: ingestBench,
  pipeline: pipelineBench,
  latency: latencyBench,
  rebuild: rebuildBench,
  soak: soakBench,
  bodies: bodiesBench,
  memory: memoryBench,
  console: consoleBench,
  channels: () => channelsBench(),
  fairness: fairnessBench,
  scaleout: scaleoutBench
}

// `memory` runs ingest, pipeline and bodies again: only when asked for.
const selected = names.length > 0 ? names : Object.keys(benches).filter((n) => n !== "memory")
const unknown = selected.filter((n) => !(n in benches))
if (unknown.length > 0)
  throw new Error(`unknown benchmark ${unknown.join(", ")} (known: ${Object.keys(benches).join(", ")})`)

const serviceFlags = serviceNodeArgs(process.env.BENCH_SERVICE_NODE_ARGS).join(" ")
console.log(`service processes run with Node flags: ${serviceFlags || "(none)"}`)
const db = await benchDatabase()
// Ctrl-C: stop the service processes and the database before leaving.
let interrupted = false
const onSignal = () => {
  if (interrupted) return
  interrupted = true
  console.error("\ninterrupted: cleaning up")
  void Promise.allSettled([...cleanups].map((c) => c()))
    .then(() => db.stop())
    .finally(() => process.exit(130))
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)
try {
  for (const name of selected) {
    console.log(`${name}:`)
    await benches[name]!(db, options)
  }
  await report()
} finally {
  await Promise.allSettled([...cleanups].map((c) => c()))
  await db.stop()
}
