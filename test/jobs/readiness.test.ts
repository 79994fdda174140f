// /readyz's judgement of a process's worker (jobs/readiness.ts): given its status and the queue.
import { describe, expect, it } from "vitest"
import { judgeWorker } from "../../src/jobs/readiness.js"
import type { WorkerSnapshot } from "../../src/jobs/WorkerStatus.js"

const NOW = 1_000_000_000
const running: WorkerSnapshot = {
  state: "running",
  poolId: "pool-a",
  lastJobAt: NOW - 2_000,
  running: 1,
  heartbeatAt: NOW - 1_000,
  since: NOW - 60_000,
  restarts: 0
}
const idleQueue = { queued: 0, oldestSeconds: 0 }

describe("judgeWorker", () => {
  it("is ready with a running pool, reporting its last pick-up, heartbeat and the queue", () => {
    expect(judgeWorker(running, { queued: 3, oldestSeconds: 0.4 }, 30_000, NOW)).toEqual({
      _tag: "Ready",
      worker: {
        state: "running",
        pool: "pool-a",
        lastJobSecondsAgo: 2,
        heartbeatSecondsAgo: 1,
        queuedJobs: 3,
        oldestQueuedSeconds: 0.4
      }
    })
  })

  it.each([
    ["starting", { ...running, state: "starting" as const, poolId: undefined }, idleQueue, /is starting/],
    ["being replaced", { ...running, state: "restarting" as const, poolId: undefined }, idleQueue, /is restarting/],
    [
      "not taking jobs while they wait",
      { ...running, lastJobAt: NOW - 45_000 },
      { queued: 12, oldestSeconds: 40 },
      /not taking jobs: 12 wait \(the oldest for 40 s\), its last pick-up was 45 s ago/
    ],
    [
      "never having taken a job while jobs wait",
      { ...running, lastJobAt: undefined },
      { queued: 1, oldestSeconds: 31 },
      /last pick-up was never/
    ],
    [
      "with a stale heartbeat",
      { ...running, heartbeatAt: NOW - 40_000 },
      idleQueue,
      /heartbeat has not been recorded for 40 s/
    ]
  ])("is not ready when the worker is %s", (_, status, queue, reason) => {
    const verdict = judgeWorker(status, queue, 30_000, NOW)
    expect(verdict._tag).toBe("NotReady")
    expect(verdict._tag === "NotReady" && verdict.reason).toMatch(reason)
  })

  it("stays ready through a backlog the worker is working on, and while nothing waits however long it idled", () => {
    expect(judgeWorker(running, { queued: 500, oldestSeconds: 120 }, 30_000, NOW)._tag).toBe("Ready")
    expect(judgeWorker({ ...running, lastJobAt: NOW - 3_600_000 }, idleQueue, 30_000, NOW)._tag).toBe("Ready")
  })
})
