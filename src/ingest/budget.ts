// How many webhook body bytes the process holds at once. A body is read whole (its signature covers
// the exact bytes), then copied as text, parsed, encoded into its event and sent to the database:
// each byte in flight costs ten or more in memory for a moment. 64 concurrent 1 MiB bodies took the
// process past 500 MB before this budget; with it a request waits for room before its body is read
// (TCP holds the rest at the sender) and, when none frees up in time, is answered 503 + Retry-After
// without being read: backpressure instead of buffering. Small webhooks never wait (a 1 KB body
// takes a thousandth of a MiB).
export interface ByteBudget {
  /** Reserves `bytes` (at most the capacity); false when no room came within `waitMs`. */
  readonly acquire: (bytes: number, waitMs: number) => Promise<boolean>
  readonly release: (bytes: number) => void
  /** Bytes reserved now (for tests and metrics). */
  readonly inUse: () => number
}

interface Waiter {
  readonly bytes: number
  readonly grant: () => void
}

export const makeByteBudget = (capacity: number): ByteBudget => {
  let used = 0
  const waiters: Array<Waiter> = []

  // First come, first served: a large body at the head is not overtaken forever by small ones.
  const wake = () => {
    while (waiters.length > 0 && used + waiters[0]!.bytes <= capacity) {
      const next = waiters.shift()!
      used += next.bytes
      next.grant()
    }
  }

  return {
    acquire: (requested, waitMs) => {
      const bytes = Math.min(Math.max(0, requested), capacity)
      if (waiters.length === 0 && used + bytes <= capacity) {
        used += bytes
        return Promise.resolve(true)
      }
      return new Promise<boolean>((resolve) => {
        const waiter: Waiter = {
          bytes,
          grant: () => {
            clearTimeout(timer)
            resolve(true)
          }
        }
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter)
          if (i >= 0) waiters.splice(i, 1)
          resolve(false)
          // A large waiter leaving the head may unblock smaller ones behind it.
          wake()
        }, waitMs)
        waiters.push(waiter)
      })
    },
    release: (released) => {
      used = Math.max(0, used - Math.min(Math.max(0, released), capacity))
      wake()
    },
    inUse: () => used
  }
}
