// The queue page, like Horizon's dashboard: jobs by task and state, throughput per minute, workers,
// and the projections' positions, lag and rebuilds.
import { Schema } from "effect"

export const TaskQueue = Schema.Struct({
  task: Schema.String,
  queued: Schema.Int,
  scheduled: Schema.Int,
  running: Schema.Int,
  failed: Schema.Int,
  oldestQueuedSeconds: Schema.Number
})

export const WorkerRow = Schema.Struct({
  workerId: Schema.String,
  running: Schema.Int,
  firstLockedAt: Schema.NullOr(Schema.String),
  lastSeenAt: Schema.NullOr(Schema.String)
})

export const ProjectionRow = Schema.Struct({
  name: Schema.String,
  activeGeneration: Schema.NullOr(Schema.Int),
  checkpoint: Schema.NullOr(Schema.Int),
  eventsApplied: Schema.NullOr(Schema.Int),
  lagEvents: Schema.NullOr(Schema.Int),
  lagSeconds: Schema.NullOr(Schema.Number),
  /** A rebuild in progress: the generation being built and how far it has read the log. */
  rebuild: Schema.NullOr(Schema.Struct({ generation: Schema.Int, position: Schema.Int, percent: Schema.Number }))
})

export const QueueHealth = Schema.Struct({
  at: Schema.String,
  headPosition: Schema.Int,
  tasks: Schema.Array(TaskQueue),
  throughput: Schema.Struct({
    minutes: Schema.Array(Schema.String),
    series: Schema.Array(Schema.Struct({ task: Schema.String, counts: Schema.Array(Schema.Int) }))
  }),
  workers: Schema.Array(WorkerRow),
  workersSource: Schema.String,
  projections: Schema.Array(ProjectionRow)
})
export type QueueHealth = typeof QueueHealth.Type
