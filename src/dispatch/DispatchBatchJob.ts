// The batch dispatch task: a graphile-worker batch job (an array of dispatches, merged under the key
// dispatch-batch:<target>:<shard> while it waits; sql/0011_batch_jobs.sql) -> Dispatcher.runBatch.
// Only the items that failed are retried (graphile-worker keeps them as the job's payload).
import { Effect } from "effect"
import { jobWeight } from "../jobs/jobBudget.js"
import { defineBatchTask } from "../jobs/task.js"
import { DISPATCH_BATCH_ITEMS, DISPATCH_BATCH_TASK } from "../rules/plan.js"
import { Dispatcher } from "./Dispatcher.js"
import { DispatchPayload } from "./DispatchJob.js"

export const dispatchBatchTask = defineBatchTask(
  DISPATCH_BATCH_TASK,
  DispatchPayload,
  (items) => Effect.flatMap(Dispatcher, (d) => d.runBatch(items)),
  // The items one run takes, not every item the job accumulated.
  (payload) => jobWeight(payload, DISPATCH_BATCH_ITEMS)
)
