// A byte budget: how many bytes of some kind of work the process holds at once, granted first come,
// first served. Two users:
// - Ingest (INGEST_MAX_BYTES_IN_FLIGHT): webhook body bytes. A body is read whole (its signature
//   covers the exact bytes), then copied as text, parsed, encoded into its event and sent to the
//   database: each byte in flight costs ten or more in memory for a moment. 64 concurrent 1 MiB
//   bodies took the process past 500 MB before this budget; with it a request waits for room before
//   its body is read (TCP holds the rest at the sender) and, when none frees up in time, is answered
//   503 + Retry-After without being read: backpressure instead of buffering. Small webhooks never
//   wait (a 1 KB body takes a thousandth of a MiB).
// - The worker (WORKER_MAX_BYTES_IN_FLIGHT, jobs/jobBudget.ts): the payload bytes of the jobs
//   running at once. A job waits for room before it reads anything (its slot held, its data not).
export interface ByteBudget {
  /**
   * Reserves `bytes` (at most the capacity); false when no room came within `waitMs` (Infinity:
   * waits as long as it takes) or when `signal` aborted first. Nothing is held after a false.
   */
  readonly acquire: (bytes: number, waitMs: number, signal?: AbortSignal) => Promise<boolean>
  readonly release: (bytes: number) => void
  /** Bytes reserved now (for tests and metrics). */
  readonly inUse: () => number
  /** The most ever reserved at once (for tests and metrics). */
  readonly peak: () => number
  readonly capacity: number
}

interface Waiter {
  readonly bytes: number
  readonly grant: () => void
}

export const makeByteBudget = (capacity: number): ByteBudget => {
  let used = 0
  let peak = 0
  const waiters: Array<Waiter> = []

  const take = (bytes: number) => {
    used += bytes
    peak = Math.max(peak, used)
  }

  // First come, first served: a large request at the head is not overtaken forever by small ones.
  const wake = () => {
    while (waiters.length > 0 && used + waiters[0]!.bytes <= capacity) {
      const next = waiters.shift()!
      take(next.bytes)
      next.grant()
    }
  }

  /** What a request reserves: at most the capacity, so one larger than the budget runs alone. */
  const sized = (requested: number) => Math.min(Math.max(0, requested), capacity)

  return {
    acquire: (requested, waitMs, signal) => {
      const bytes = sized(requested)
      if (signal?.aborted) return Promise.resolve(false)
      if (waiters.length === 0 && used + bytes <= capacity) {
        take(bytes)
        return Promise.resolve(true)
      }
      return new Promise<boolean>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined
        const leave = () => {
          if (timer !== undefined) clearTimeout(timer)
          signal?.removeEventListener("abort", leave)
          const i = waiters.indexOf(waiter)
          if (i >= 0) waiters.splice(i, 1)
          resolve(false)
          // A large waiter leaving the head may unblock smaller ones behind it.
          wake()
        }
        const waiter: Waiter = {
          bytes,
          grant: () => {
            if (timer !== undefined) clearTimeout(timer)
            signal?.removeEventListener("abort", leave)
            resolve(true)
          }
        }
        if (Number.isFinite(waitMs)) timer = setTimeout(leave, waitMs)
        signal?.addEventListener("abort", leave, { once: true })
        waiters.push(waiter)
      })
    },
    release: (released) => {
      used = Math.max(0, used - sized(released))
      wake()
    },
    inUse: () => used,
    peak: () => peak,
    capacity
  }
}
