// The scheduler of the worker's fibers when WORKER_SLICE_MS is set (2 is what was measured; default
// 0, off): while the event loop is behind, they run in time slices of that many ms and the loop gets a
// turn between two, so the HTTP side of the same process (webhooks, /readyz, the console) is answered
// while a backlog drains.
//
// Effect's default scheduler resumes a fiber that yields in a microtask, and only every 2,048th
// consecutive time in a timer. Microtasks all run before the event loop looks at sockets again, so a
// worker with batches of 64 items to decide, encode and record kept the loop for hundreds of ms at a
// time: the service's event-loop delay averaged 66-102 ms (p99 200-330 ms) while draining, and
// webhooks arriving meanwhile were accepted at about a tenth of the API-only rate. Here every task of
// the worker's fibers (a fiber's first run, its resumption after a query or a request, its next run
// after it yields every 2,048 operations) goes to one queue. Under pressure the queue runs until it
// is empty or the slice is used up, and what is left runs in the next slice, after the loop has polled
// (setImmediate); a slice ends only between tasks (one task's own synchronous run, normalizing one
// large order, is not cut). Without pressure it runs until it is empty, as Effect's scheduler would.
//
// Pressure is the loop being late (LoopLag below). Slicing costs the worker's own latency, since every
// step of a dispatch batch then waits for a turn of the loop, and a key's batches run one at a time:
// at 50 orders/s on 2 cores (near this machine's capacity, so the loop is late most of the time) a
// webhook's last dispatch took 2.4-4.4 s sliced against 1.1-1.3 s with Effect's scheduler, while its
// 202 came back in 50-77 ms against 177-201 ms. Hence off by default: for a process whose webhooks
// must stay quick while it drains a backlog (README, Benchmarks).
import { Scheduler } from "effect"

export class TimeSlicedScheduler implements Scheduler.Scheduler {
  private readonly tasks = new Scheduler.PriorityBuckets()
  private running = false
  private readonly drain = () => {
    const deadline = this.underPressure() ? performance.now() + this.sliceMs : Number.POSITIVE_INFINITY
    try {
      do {
        const buckets = this.tasks.buckets
        this.tasks.buckets = []
        for (const [, toRun] of buckets) for (const task of toRun) task()
      } while (this.tasks.buckets.length > 0 && performance.now() < deadline)
    } finally {
      // Also when a task threw (Effect's own runner does not catch either): the queue goes on.
      if (this.tasks.buckets.length === 0) this.running = false
      else setImmediate(this.drain)
    }
  }

  /** `underPressure`: whether to slice now (default: always). */
  constructor(
    private readonly sliceMs: number,
    private readonly underPressure: () => boolean = () => true
  ) {}

  shouldYield(fiber: Parameters<Scheduler.Scheduler["shouldYield"]>[0]): number | false {
    // When a fiber yields (every currentMaxOpsBeforeYield operations), as the default scheduler decides.
    return Scheduler.defaultScheduler.shouldYield(fiber)
  }

  scheduleTask(task: Scheduler.Task, priority: number): void {
    this.tasks.scheduleTask(task, priority)
    if (this.running) return
    this.running = true
    queueMicrotask(this.drain)
  }
}

/** A timer firing late by more than this means the loop is behind. */
export const LAG_THRESHOLD_MS = 20
/** How long the pressure lasts after the loop was last seen behind. */
export const LAG_HOLD_MS = 1_000
const PROBE_MS = 10

export interface LoopLag {
  /** True while the loop was late by more than the threshold within the hold time. */
  readonly underPressure: () => boolean
  readonly stop: () => void
}

/** Watches the event loop with a 10 ms timer (unref'd): a late firing puts it under pressure for a while. */
export const watchLoopLag = (thresholdMs = LAG_THRESHOLD_MS, holdMs = LAG_HOLD_MS): LoopLag => {
  let last = performance.now()
  let until = 0
  const timer = setInterval(() => {
    const now = performance.now()
    if (now - last - PROBE_MS > thresholdMs) until = now + holdMs
    last = now
  }, PROBE_MS)
  timer.unref()
  return { underPressure: () => performance.now() < until, stop: () => clearInterval(timer) }
}
