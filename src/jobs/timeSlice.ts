// The scheduler of the worker's fibers: they run in time slices (WORKER_SLICE_MS, default 2 ms), and
// between two slices the event loop gets a turn, so the HTTP side of the same process (webhooks,
// /readyz, the console) is answered while a backlog drains.
//
// Effect's default scheduler resumes a fiber that yields in a microtask, and only every 2,048th
// consecutive time in a timer. Microtasks all run before the event loop looks at sockets again, so a
// worker with batches of 64 items to decide, encode and record kept the loop for hundreds of ms at a
// time: the service's event-loop delay averaged 66-88 ms (p99 165-265 ms) while draining, and webhooks
// arriving meanwhile were accepted at about a tenth of the API-only rate. Here every task of the
// worker's fibers (a fiber's first run, its resumption after a query or a request, its next run
// after it yields every 2,048 operations) goes to one queue, which runs until it is empty or the slice
// is used up; what is left runs in the next slice, after the loop has polled (setImmediate). A slice
// ends only between tasks: one task's own synchronous run (normalizing one large order) is not cut.
import { Scheduler } from "effect"

export class TimeSlicedScheduler implements Scheduler.Scheduler {
  private readonly tasks = new Scheduler.PriorityBuckets()
  private running = false
  private readonly drain = () => {
    const deadline = performance.now() + this.sliceMs
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

  constructor(private readonly sliceMs: number) {}

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
