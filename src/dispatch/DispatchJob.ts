// The dispatch task: graphile-worker job -> Dispatcher.run. One job per (order, target, kind): retries,
// waits and operator re-dispatches (a planned dispatch that can go now is a batch item: DispatchBatchJob.ts).
import { Effect, Schema } from "effect"
import { DispatchKind } from "../events/dispatch.js"
import { defineTask } from "../jobs/task.js"
import { DISPATCH_TASK } from "../rules/plan.js"
import { Dispatcher } from "./Dispatcher.js"

export const DispatchPayload = Schema.Struct({
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind,
  /** Its weight in the worker's memory budget (jobs/jobBudget.ts), kept when the job re-enqueues itself. */
  bytes: Schema.optional(Schema.Number)
})

export const dispatchTask = defineTask(DISPATCH_TASK, DispatchPayload, (payload) =>
  Effect.flatMap(Dispatcher, (d) => d.run(payload))
)
