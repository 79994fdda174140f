// How far V8 lets the heap grow past what is live before it collects. The service bounds what it
// holds (webhook bytes in flight, job payload bytes in flight, batch bytes; see README, Memory), but
// the resident size is the heap V8 keeps, garbage included: after each full collection V8 sets the
// next one at the live size times a factor it picks between 1.1 and 4, and it allows 4 whenever its
// heap limit is 2 GB or more, which it derives from the machine's memory (4.3 GB here, on a 24 GB
// host without a container limit). A bodies run with a live heap of 96 MB grew the heap to 356 MB
// before collecting. Under a container memory limit Node sizes the heap from the limit and V8 picks
// a small factor on its own.
//
// So `serve` sets the factor itself (S2S_HEAP_GROWING_PERCENT, default 25: the heap grows to at
// most 1.25x the live size before a full collection), unless the operator passed a heap flag of
// their own, which then wins. It is not a cap: the heap still grows as far as the work needs, V8
// only collects sooner, at the cost of more frequent full collections of a small heap. 25 against
// 50, measured 2026-12-07 (quiet machine, two interleaved pairs): 64 x 1 MiB bodies of 7,000 line
// items peaked at 226 / 236 MB against 248 / 259 MB, the pipeline's RSS 217 / 209 against 229 / 233
// MB, and its throughput did not fall (end to end 98 / 90 against 74 / 87 orders/s).
import v8 from "node:v8"

export const DEFAULT_HEAP_GROWING_PERCENT = 25

const HEAP_FLAGS = /^--(max[-_]old[-_]space[-_]size|heap[-_]growing[-_]percent|optimize[-_]for[-_]size)\b/

export type HeapTuning =
  | { readonly _tag: "Tuned"; readonly percent: number }
  | { readonly _tag: "Operator"; readonly flag: string }
  | { readonly _tag: "Off" }

/** Decides (pure): the operator's flags win, 0 turns it off, else the given percent. */
export const heapTuning = (flags: ReadonlyArray<string>, percent: number): HeapTuning => {
  const flag = flags.find((f) => HEAP_FLAGS.test(f))
  if (flag !== undefined) return { _tag: "Operator", flag }
  return percent > 0 ? { _tag: "Tuned", percent: Math.floor(percent) } : { _tag: "Off" }
}

/** The process's Node flags: its command line and NODE_OPTIONS. */
export const nodeFlags = (): ReadonlyArray<string> => [
  ...process.execArgv,
  ...(process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean)
]

/** Applies the tuning to this process (V8 reads the factor at every full collection). */
export const tuneHeap = (percent: number, flags: ReadonlyArray<string> = nodeFlags()): HeapTuning => {
  const tuning = heapTuning(flags, percent)
  if (tuning._tag === "Tuned") v8.setFlagsFromString(`--heap-growing-percent=${tuning.percent}`)
  return tuning
}
