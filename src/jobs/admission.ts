// Ingest first, when set (WORKER_CONCURRENCY_WHILE_RECEIVING, default 0: off): while webhooks arrive
// at this process and its event loop runs late, each task runs at most that many jobs at once; the
// worker's other slots wait, holding their job but nothing else, and start as soon as a running job
// of their task ends or the pressure is gone (no webhook for RECEIVING_WINDOW_MS, or the loop on time
// again). Otherwise every slot runs (WORKER_CONCURRENCY). The limit is per task, so no stage waits
// behind another's jobs (a dispatch batch waiting on a slow partner never holds back normalization).
//
// Why: one `serve` process is one thread. Draining a backlog with 16 batch jobs at once (up to 64
// items each) took the thread from the API: webhooks accepted while the same process drained fell to
// 3-19% of its API-only rate, the event loop 30-130 ms late, and neither time slices nor a share of
// the loop for the worker changed that much. Fewer jobs at once did (2: 15-51%, 202 p99 under 1 s).
// Why off by default: at a steady load near the process's capacity the loop is late most of the
// time, the limit holds, the worker falls behind and stays behind (at 50 orders/s on a loaded 2-core
// machine a webhook's last dispatch came 20-27 s after it, against 0.7-6 s without the limit). It
// suits a process whose webhooks must be answered quickly whatever its worker has to do; separate
// API and worker processes (`serve --api-only`, `s2s worker`) are the better answer (README).
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
