// Jobs finished per minute over the last hour, per task, counted from the events each task records
// when it finishes a job (graphile-worker deletes completed jobs, the log keeps what they did): a
// normalization records WebhookNormalized or NormalizationFailed, a dispatch DispatchAttempted or
// DispatchSkipped, an alert delivery AlertSent, AlertSuppressed or AlertDeliveryFailed. Read through
// the recorded_at index, one hour at most.
import type { Queryable } from "../../db/Db.js"
import type { EventType } from "../../events/Events.js"
import { countPerMinute } from "../../events/reads.js"

export const TASK_EVENTS: ReadonlyArray<{ readonly task: string; readonly events: ReadonlyArray<EventType> }> = [
  { task: "normalize-webhook", events: ["WebhookNormalized", "NormalizationFailed"] },
  { task: "dispatch-order", events: ["DispatchAttempted", "DispatchSkipped"] },
  { task: "deliver-alert", events: ["AlertSent", "AlertSuppressed", "AlertDeliveryFailed"] }
]

export const MINUTES = 60

export interface Throughput {
  /** ISO start of each minute, oldest first; the last one is the current, unfinished minute. */
  readonly minutes: ReadonlyArray<string>
  readonly series: ReadonlyArray<{ readonly task: string; readonly counts: ReadonlyArray<number> }>
}

export const throughput = async (sql: Queryable, now: Date): Promise<Throughput> => {
  const end = Math.floor(now.getTime() / 60_000) * 60_000
  const start = new Date(end - (MINUTES - 1) * 60_000)
  const types = TASK_EVENTS.flatMap((t) => t.events as ReadonlyArray<string>)
  const rows = await countPerMinute(sql, start, types)
  const minutes = Array.from({ length: MINUTES }, (_, i) => new Date(start.getTime() + i * 60_000).toISOString())
  const index = new Map(minutes.map((m, i) => [m, i]))
  const taskOf = new Map(TASK_EVENTS.flatMap((t) => t.events.map((e) => [e as string, t.task])))
  const counts = new Map(TASK_EVENTS.map((t) => [t.task, new Array<number>(MINUTES).fill(0)]))
  for (const r of rows) {
    const i = index.get(r.minute.toISOString())
    const series = counts.get(taskOf.get(r.type) ?? "")
    if (i !== undefined && series !== undefined) series[i] = (series[i] ?? 0) + r.n
  }
  return { minutes, series: [...counts].map(([task, c]) => ({ task, counts: c })) }
}
