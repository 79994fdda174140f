// Ingest first (WORKER_CONCURRENCY_WHILE_RECEIVING, default 4; 0: no limit): while webhooks arrive at
// this process and its event loop runs late, each task runs at most that many jobs at once; the
// worker's other slots wait, holding their job but nothing else, and start as soon as a running job
// of their task ends or the pressure is gone (no webhook for RECEIVING_WINDOW_MS, or the loop on time
// again). Otherwise every slot runs (WORKER_CONCURRENCY). The limit is per task, so no stage waits
// behind another's jobs (a dispatch batch waiting on a slow partner never holds back normalization).
//
// Why: one `serve` process is one thread. Draining a backlog with 16 batch jobs at once (up to 64
// items each) took the thread from the API: webhooks accepted while the same process drained fell to
// 5-16% of its API-only rate, and neither time slices nor a share of the loop for the worker changed
// that much. Fewer jobs at once did. Measured on a 2-core machine (`npm run bench -- fairness latency`,
// 2026-12-07): at 4, 16% / 28% of the API-only rate (8 / 32 clients) against 7% / 16%, the 202 at a
// steady 50 orders/s p50 27 against 61 ms with the last dispatch no later (340 against 386 ms), and at
// 100 orders/s (this machine's capacity) the worker still kept up (last dispatch p99 1.9-4.7 s against
// 1.6-4.2 s without a limit, within the runs' noise). At 2 and 1 ingest gets more (39%, 50% at 32
// clients), but at capacity the worker falls behind (last dispatch p50 4.4 s and 12 s after 30 s at
// 100 orders/s) and stays behind while webhooks keep coming: those suit a process whose webhooks must
// be answered quickly whatever its worker has to do. Separate API and worker processes (`serve
// --api-only`, `s2s worker`) are the full answer (README).
import { webhookActivity } from "../lib/webhookActivity.js"
import { type LoopLag, watchLoopLag } from "./timeSlice.js"

/** How long after the last webhook the process still counts as receiving. */
export const RECEIVING_WINDOW_MS = 1_000
/** How often waiting jobs look again whether the webhooks have stopped. */
const RECHECK_MS = 100
/** The loop watch stops after this long without a question. */
const WATCH_IDLE_MS = 3_000

export interface Admission {
  /**
   * Waits until a job of `task` may run; resolves to its leave function, or undefined when `cancel`
   * fired first (nothing is held then). `onCancel` registers the canceller, returns its unregistration.
   */
  readonly enter: (task: string, onCancel: (cancel: () => void) => () => void) => Promise<(() => void) | undefined>
  /** Jobs running now per task (for tests). */
  readonly running: (task: string) => number
}

interface Waiter {
  readonly task: string
  readonly admit: () => void
}

/**
 * Whether the HTTP side needs the loop: webhooks arrived within the window and the event loop runs
 * late (timeSlice.ts's watch, started on the first question and stopped after a few seconds without
 * one, so an idle process keeps no 10 ms timer). Steady traffic the process keeps up with never
 * limits the worker; a backlog drained while webhooks keep coming does.
 */
export const webhooksWaiting = (): (() => boolean) => {
  let watch: LoopLag | undefined
  let askedAt = 0
  return () => {
    if (!webhookActivity.within(RECEIVING_WINDOW_MS)) return false
    askedAt = performance.now()
    if (watch === undefined) {
      const started = watchLoopLag()
      watch = started
      const idle = setInterval(() => {
        if (performance.now() - askedAt < WATCH_IDLE_MS) return
        clearInterval(idle)
        started.stop()
        watch = undefined
      }, WATCH_IDLE_MS)
      idle.unref()
    }
    return watch.underPressure()
  }
}

/** `whileBusy` 0: no limit. `busy`: whether the HTTP side needs the loop (default webhooksWaiting). */
export const makeAdmission = (whileBusy: number, busy: () => boolean = webhooksWaiting()): Admission => {
  const running = new Map<string, number>()
  const waiting: Array<Waiter> = []
  let timer: ReturnType<typeof setInterval> | undefined

  const count = (task: string) => running.get(task) ?? 0
  const mayRun = (task: string) => whileBusy <= 0 || count(task) < whileBusy || !busy()

  const start = (task: string) => {
    running.set(task, count(task) + 1)
    let left = false
    return () => {
      if (left) return
      left = true
      running.set(task, count(task) - 1)
      wake()
    }
  }

  const wake = () => {
    for (let i = 0; i < waiting.length; ) {
      const w = waiting[i]!
      if (mayRun(w.task)) {
        waiting.splice(i, 1)
        w.admit()
      } else i++
    }
    if (waiting.length === 0 && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    } else if (waiting.length > 0 && timer === undefined) {
      // The webhooks stopping frees the waiting jobs: nothing else would wake them.
      timer = setInterval(wake, RECHECK_MS)
      timer.unref()
    }
  }

  return {
    enter: (task, onCancel) => {
      if (waiting.every((w) => w.task !== task) && mayRun(task)) return Promise.resolve(start(task))
      return new Promise((resolve) => {
        const waiter: Waiter = {
          task,
          admit: () => {
            unregister()
            resolve(start(task))
          }
        }
        const unregister = onCancel(() => {
          const i = waiting.indexOf(waiter)
          if (i < 0) return
          waiting.splice(i, 1)
          unregister()
          resolve(undefined)
          wake()
        })
        waiting.push(waiter)
        wake()
      })
    },
    running: count
  }
}
