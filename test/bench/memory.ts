// memory: the service's peak resident size through the loads the performance brief names, with no
// heap flag (BENCH_SERVICE_NODE_ARGS unset): the ingest bench's load (api-only), the pipeline
// bench's load (one `serve` process), and 3 x 64 concurrent 1 MiB webhooks through `serve` (a long
// note, then 7,000 line items). Each bench records its own RSS rows; this one runs them and sums
// them up against the < 256 MB target. With BENCH_SERVICE_NODE_ARGS=--trace-gc and
// BENCH_SERVICE_OUTPUT=file the live heap after each full collection is in the file.
import { bodiesBench } from "./bodies.js"
import { ingestBench } from "./ingest.js"
import { pipelineBench } from "./pipeline.js"
import { type BenchDatabase, type BenchOptions, note, rows } from "./support.js"

export const memoryBench = async (db: BenchDatabase, options: BenchOptions) => {
  const from = rows.length
  // One load that fails (the pipeline's stall check, on a machine busy with other work) does not
  // cost the others' figures: its failure is noted instead.
  const loads: ReadonlyArray<readonly [string, () => Promise<void>]> = [
    ["ingest", () => ingestBench(db, options)],
    ["pipeline", () => pipelineBench(db, options)],
    ["bodies", () => bodiesBench(db)]
  ]
  for (const [name, run] of loads) {
    try {
      await run()
    } catch (error) {
      note("memory", `${name} failed: ${(error as Error).message.split("\n")[0]}`)
    }
  }
  const peaks = rows.slice(from).filter((r) => r.unit === "MB" && /RSS peak/.test(r.case))
  const worst = Math.max(...peaks.map((r) => r.value))
  note(
    "memory",
    `peak RSS per load: ${peaks.map((r) => `${r.benchmark} ${r.case.replace(/^.*?RSS peak,? ?/, "") || "peak"} ${Math.round(r.value)} MB`).join("; ")}; worst ${Math.round(worst)} MB (target < 256 MB, no heap flag)`
  )
}
