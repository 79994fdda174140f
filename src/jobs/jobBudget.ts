// The worker's memory budget: how many payload bytes the jobs running in this process hold at once
// (WORKER_MAX_BYTES_IN_FLIGHT, default 1 MiB). A job's weight is the size of the data it works on,
// given by whoever enqueued it as the payload's `bytes` field: ingest puts a webhook's body size on
// its normalization job, and normalization puts it on the dispatch jobs it plans (the order comes
// from that body). A job waits for room before it reads anything, holding its worker slot but none
// of its data, so concurrency x payload size is bounded by the budget rather than by the job count:
// 16 jobs of a 1 KB order run together, but one order of 7,000 line items (1 MiB) at a time, and a
// batch job runs its items in runs that fit (budgetRuns). Each such job expands its order a dozen
// times or more while it decodes, normalizes and encodes it, and with 2 MiB (two at a time) the
// bodies bench peaked at 272-308 MB against 240-260 MB with 1 MiB (README, Memory); small orders
// never fill even 1 MiB (16 x 2 KB). A job heavier than the whole budget runs alone. Jobs without a
// weight (alerts, digests, retries enqueued before the field existed) do not count and never wait.
import { Config } from "effect"
import { type ByteBudget, makeByteBudget } from "../lib/byteBudget.js"

export const DEFAULT_JOB_BYTES_IN_FLIGHT = 1024 * 1024

export const JobBudgetConfig = Config.integer("WORKER_MAX_BYTES_IN_FLIGHT").pipe(
  Config.withDefault(DEFAULT_JOB_BYTES_IN_FLIGHT)
)

/**
 * A job's weight: its payload's `bytes` (a positive number), else 0 (not counted). A batch job's
 * (an array payload) is the sum of its first `items` items' weights: the items it runs at once.
 */
export const jobWeight = (payload: unknown, items = Number.POSITIVE_INFINITY): number => {
  if (Array.isArray(payload)) return payload.slice(0, items).reduce((sum: number, item) => sum + jobWeight(item), 0)
  const bytes = typeof payload === "object" && payload !== null ? (payload as { bytes?: unknown }).bytes : undefined
  return typeof bytes === "number" && Number.isFinite(bytes) && bytes > 0 ? Math.ceil(bytes) : 0
}

/**
 * A batch job's items split into runs that each fit `capacity` (the sum of their weights), in order:
 * as many items as fit, at least one. A batch of 1 KB items is one run; a batch of twelve 1 MiB
 * orders under a 2 MiB budget is six runs of two, one after another, rather than one run that reads
 * all twelve at once.
 */
export const budgetRuns = <A>(
  items: ReadonlyArray<A>,
  capacity: number,
  weigh: (item: A) => number = jobWeight
): Array<ReadonlyArray<A>> => {
  const runs: Array<ReadonlyArray<A>> = []
  let run: Array<A> = []
  let bytes = 0
  for (const item of items) {
    const weight = weigh(item)
    if (run.length > 0 && bytes + weight > capacity) {
      runs.push(run)
      run = []
      bytes = 0
    }
    run.push(item)
    bytes += weight
  }
  if (run.length > 0) runs.push(run)
  return runs
}

export interface JobBudget {
  /**
   * Waits for room for `weight` bytes; resolves to the bytes to give back with `release` (0 for a job
   * that does not count), or undefined when `cancel` fired first (nothing is held then).
   * `onCancel` registers the canceller and returns its unregistration.
   */
  readonly hold: (weight: number, onCancel: (cancel: () => void) => () => void) => Promise<number | undefined>
  readonly release: (bytes: number) => void
  readonly budget: ByteBudget
}

export const makeJobBudget = (capacity: number): JobBudget => {
  const budget = makeByteBudget(Math.max(1, capacity))
  return {
    hold: async (weight, onCancel) => {
      if (weight <= 0) return 0
      const controller = new AbortController()
      const unregister = onCancel(() => controller.abort())
      try {
        return (await budget.acquire(weight, Number.POSITIVE_INFINITY, controller.signal)) ? weight : undefined
      } finally {
        unregister()
      }
    },
    release: (bytes) => {
      if (bytes > 0) budget.release(bytes)
    },
    budget
  }
}

const weighPayload = (payload: unknown, bytes: number): unknown =>
  Array.isArray(payload)
    ? payload.map((item) => weighPayload(item, bytes))
    : typeof payload === "object" && payload !== null
      ? { ...payload, bytes }
      : payload

/**
 * The job with its weight in the budget: `bytes` on its payload (an object payload; each item of a
 * batch job's array; others unchanged).
 */
export const weighJob = <J extends { readonly payload: unknown }>(job: J, bytes: number): J =>
  typeof job.payload === "object" && job.payload !== null ? { ...job, payload: weighPayload(job.payload, bytes) } : job
