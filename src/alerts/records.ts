// What the alert jobs record and enqueue, shared by the port (AlertingLive), the delivery job and the
// digests: an alert is an AlertRaised on its own stream alert-{alertId}, and posting it is a
// deliver-alert job whose outcome (AlertSent, AlertSuppressed, AlertDeliveryFailed) lands on the
// same stream.
import { createHash } from "node:crypto"
import type { AlertRaised } from "../events/alerts.js"
import type { Job, PendingAppend } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { alertStream } from "../events/streams.js"

type Alert = typeof AlertRaised.Type

export const DELIVER_ALERT_TASK = "deliver-alert"
export const ALERT_DIGESTS_TASK = "alert-digests"
export const WEEKLY_REPORT_TASK = "alert-weekly-report"
export const COVERAGE_DIGEST_TASK = "alert-coverage-digest"
/**
 * Posts go through one graphile-worker queue, one at a time: Slack allows about one message per second
 * per channel, and a burst of alerts then meets the grouping row in order instead of all at once.
 */
export const SLACK_QUEUE = "slack-alerts"

/**
 * A UUID derived from the alert id. Alert ids are deterministic (`dead_letter:{order}:{target}:...`),
 * so raising the same alert again (a retried job, a replayed event) finds its event already stored
 * and the append is a no-op instead of a conflict that would fail the caller's transaction.
 */
export const alertEventId = (alertId: string): string => {
  const h = createHash("sha256").update(`AlertRaised\u0000${alertId}`).digest("hex")
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export const raisedAppend = (alert: Alert): PendingAppend => ({
  streamId: alertStream(alert.alertId),
  expectedVersion: "no_stream",
  events: [alert],
  eventIds: [alertEventId(alert.alertId)]
})

/** One pending delivery per alert: a second raise of the same alert collapses into it. */
export const deliverAlertJob = (alertId: string, runAt?: Date): Job => ({
  task: DELIVER_ALERT_TASK,
  payload: { alertId },
  jobKey: `${DELIVER_ALERT_TASK}:${alertId}`,
  queueName: SLACK_QUEUE,
  runAt,
  // Slack failures are recorded and re-enqueued by the job itself; these attempts only cover our own
  // failures (database), which graphile-worker retries with its backoff.
  maxAttempts: 10
})

export interface DeliveryStatus {
  readonly raised: Alert | undefined
  /** Posted, suppressed, or given up: nothing more to do. */
  readonly settled: boolean
  /** Failed delivery attempts so far. */
  readonly failures: number
}

export const deliveryStatus = (events: ReadonlyArray<AppEvent>): DeliveryStatus => {
  let raised: Alert | undefined
  let settled = false
  let failures = 0
  for (const event of events) {
    switch (event._tag) {
      case "AlertRaised":
        raised = event
        break
      case "AlertSent":
      case "AlertSuppressed":
        settled = true
        break
      case "AlertDeliveryFailed":
        failures += 1
        if (!event.retryable) settled = true
        break
    }
  }
  return { raised, settled, failures }
}
