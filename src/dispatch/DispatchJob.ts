// The dispatch task: graphile-worker job -> Dispatcher.run. One job per (order, target, kind).
import { Effect, Schema } from "effect"
import { DispatchKind } from "../events/dispatch.js"
import { defineTask } from "../jobs/Worker.js"
import { Dispatcher } from "./Dispatcher.js"
import { DISPATCH_TASK } from "./plan.js"

export const DispatchPayload = Schema.Struct({
  orderKey: Schema.String,
  targetId: Schema.String,
  kind: DispatchKind
})

export const dispatchTask = defineTask(DISPATCH_TASK, DispatchPayload, (payload) =>
  Effect.flatMap(Dispatcher, (d) => d.run(payload))
)
