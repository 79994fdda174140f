// The grouping state in PostgreSQL (alert_groups, sql/0007_pipeline_state.sql): one row per open
// window, decided on under `select ... for update` in a short transaction that also records what the
// decision implies (AlertSuppressed for a counted repeat, the digest of a window that had closed), so
// state and record never disagree. No network call ever happens while a row is locked.
import { Schema } from "effect"
import type { Queryable } from "../db/Db.js"
import { AlertSuppressed } from "../events/alerts.js"
import { appendInTransaction, decodeStored, type PendingAppend } from "../events/EventStore.js"
import type { EventMetadata } from "../events/Events.js"
import { readStream } from "../events/store.js"
import { alertStream } from "../events/streams.js"
import type { Alert } from "./alert.js"
import { decide, due, emptyGrouping, GroupingState, repeatDigestAlert } from "./grouping.js"
import { deliverAlertJob, deliveryStatus, raisedAppend } from "./records.js"

const decodeState = Schema.decodeUnknownSync(GroupingState)
const encodeState = Schema.encodeSync(GroupingState)

/** post: send it now; count: recorded as a grouped repeat; duplicate / settled: nothing to do. */
export type Claim = "post" | "count" | "duplicate" | "settled"

const recordDigests = (
  tx: Queryable,
  alerts: ReadonlyArray<Alert>,
  extra: ReadonlyArray<PendingAppend>,
  metadata: EventMetadata
) =>
  appendInTransaction(tx, [...extra, ...alerts.map(raisedAppend)], {
    metadata,
    jobs: alerts.map((alert) => deliverAlertJob(alert.alertId))
  })

/** Where this alert stands in its group, deciding (and recording) it when it is new. */
export const claim = async (
  tx: Queryable,
  alert: Alert,
  now: Date,
  windowMs: number,
  metadata: EventMetadata
): Promise<Claim> => {
  const key = alert.groupKey
  // The row must exist to be locked: two first alerts of a new group would otherwise both post.
  await tx`
    insert into alert_groups (group_key, state) values (${key}, ${tx.json(encodeState(emptyGrouping))})
    on conflict (group_key) do nothing`
  const [row] = await tx<Array<{ state: unknown }>>`
    select state from alert_groups where group_key = ${key} for update`
  // Checked again under the lock: another job for the same alert (a job key replaced while running)
  // may have settled it since this job read the stream.
  const events = (await readStream(tx, alertStream(alert.alertId))).map(decodeStored)
  if (deliveryStatus(events.map((e) => e.event)).settled) return "settled"
  const state = decodeState(row?.state)
  const group = Object.hasOwn(state.groups, key) ? state.groups[key] : undefined
  // This alert opened the window and its post failed: posting it is still its job.
  if (group?.firstAlertId === alert.alertId) return "post"
  const decision = decide(state, alert, now, windowMs)
  if (decision.action === "duplicate") return "duplicate"
  await tx`
    update alert_groups set state = ${tx.json(encodeState(decision.state))}, updated_at = now()
    where group_key = ${key}`
  const suppressed: ReadonlyArray<PendingAppend> =
    decision.action === "count"
      ? [
          {
            streamId: alertStream(alert.alertId),
            expectedVersion: "any",
            events: [AlertSuppressed.make({ alertId: alert.alertId, reason: "grouped" })]
          }
        ]
      : []
  await recordDigests(tx, decision.digests.map(repeatDigestAlert), suppressed, metadata)
  return decision.action
}

/**
 * Closes every window that has ended: records one repeat digest per window with repeats (posted by
 * its own deliver-alert job) and deletes the row. Rows locked by a delivery in progress are skipped;
 * the next run takes them. Returns the number of digests recorded.
 */
export const closeWindows = async (
  tx: Queryable,
  now: Date,
  windowMs: number,
  metadata: EventMetadata
): Promise<number> => {
  const rows = await tx<Array<{ group_key: string; state: unknown }>>`
    select group_key, state from alert_groups order by group_key for update skip locked`
  const closed: Array<string> = []
  const digests: Array<Alert> = []
  for (const row of rows) {
    const result = due(decodeState(row.state), now, windowMs)
    if (Object.keys(result.state.groups).length === 0) closed.push(row.group_key)
    digests.push(...result.digests.map(repeatDigestAlert))
  }
  if (closed.length > 0) await tx`delete from alert_groups where group_key = any(${closed}::text[])`
  if (digests.length > 0) await recordDigests(tx, digests, [], metadata)
  return digests.length
}
