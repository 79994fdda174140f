// What this process's worker is doing, for /readyz: whether a pool runs (or is being restarted after
// the database took it down), when it last took a job, when its heartbeat last reached the registry.
// Written by the worker (Worker.ts, Heartbeat.ts), read by the health endpoints; one instance per
// process, provided by main.ts to both.
import { Context, FiberRef, Layer } from "effect"

/** The worker pool running the current job (set by the worker around each task), for dispatch leases. */
export const CurrentWorkerPool = FiberRef.unsafeMake<string | undefined>(undefined)

export type WorkerState = "starting" | "running" | "restarting" | "stopping"

export interface WorkerSnapshot {
  readonly state: WorkerState
  /** graphile-worker's pool id while a pool runs. */
  readonly poolId: string | undefined
  /** Date.now() of the last job pick-up by this process (any pool). */
  readonly lastJobAt: number | undefined
  /** Jobs running now. */
  readonly running: number
  /** Date.now() of the last heartbeat the registry recorded. */
  readonly heartbeatAt: number | undefined
  /** Date.now() since when the state is what it is. */
  readonly since: number
  /** Pools restarted after dying (the database went away under them). */
  readonly restarts: number
}

export interface WorkerStatusService {
  readonly snapshot: () => WorkerSnapshot
  readonly poolStarted: (poolId: string) => void
  readonly poolLost: () => void
  readonly stopping: () => void
  /** Returns the pool the job belongs to, to hand back to jobEnded. */
  readonly jobStarted: () => string | undefined
  readonly jobEnded: (poolId: string | undefined) => void
  /** Jobs still running that a given pool took (a pool that died may leave some behind for a while). */
  readonly runningIn: (poolId: string) => number
  readonly heartbeatRecorded: () => void
}

export class WorkerStatus extends Context.Tag("app/jobs/WorkerStatus")<WorkerStatus, WorkerStatusService>() {}

export const makeWorkerStatus = (now: () => number = Date.now): WorkerStatusService => {
  const byPool = new Map<string, number>()
  let s: WorkerSnapshot = {
    state: "starting",
    poolId: undefined,
    lastJobAt: undefined,
    running: 0,
    heartbeatAt: undefined,
    since: now(),
    restarts: 0
  }
  return {
    snapshot: () => s,
    poolStarted: (poolId) => {
      s = {
        ...s,
        state: "running",
        poolId,
        since: now(),
        restarts: s.state === "restarting" ? s.restarts + 1 : s.restarts
      }
    },
    poolLost: () => {
      s = { ...s, state: "restarting", poolId: undefined, since: now() }
    },
    stopping: () => {
      s = { ...s, state: "stopping", since: now() }
    },
    jobStarted: () => {
      s = { ...s, lastJobAt: now(), running: s.running + 1 }
      if (s.poolId !== undefined) byPool.set(s.poolId, (byPool.get(s.poolId) ?? 0) + 1)
      return s.poolId
    },
    jobEnded: (poolId) => {
      s = { ...s, running: Math.max(0, s.running - 1) }
      if (poolId === undefined) return
      const left = (byPool.get(poolId) ?? 1) - 1
      if (left > 0) byPool.set(poolId, left)
      else byPool.delete(poolId)
    },
    runningIn: (poolId) => byPool.get(poolId) ?? 0,
    heartbeatRecorded: () => {
      s = { ...s, heartbeatAt: now() }
    }
  }
}

export const WorkerStatusLive = Layer.sync(WorkerStatus, () => makeWorkerStatus())
