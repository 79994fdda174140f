// The alert stage as main.ts composes it: the Alerting port for the pipeline, and the jobs.
//   deliver-alert {alertId}        one recorded alert -> Slack (AlertDelivery.ts), enqueued by the port
//   alert-digests                  every minute: digests of group windows that closed
//   alert-coverage-digest {day?}   every hour: the previous day's coverage once digestHour has come;
//                                  with a day, that day's (operators, tests)
// Cron is graphile-worker's: UTC, and one job per tick however many workers run.
import { Effect, Layer, Schema } from "effect"
import { defineTask } from "../jobs/task.js"
import { AlertDelivery, AlertDeliveryLive } from "./AlertDelivery.js"
import { AlertingLive } from "./AlertingLive.js"
import { AlertDigests, AlertDigestsLive } from "./DigestJobs.js"
import { ALERT_DIGESTS_TASK, COVERAGE_DIGEST_TASK, DELIVER_ALERT_TASK, WEEKLY_REPORT_TASK } from "./records.js"
import { SlackNotifierLive } from "./SlackNotifier.js"

export { AlertDelivery } from "./AlertDelivery.js"
export { AlertDigests } from "./DigestJobs.js"
export { ALERT_DIGESTS_TASK, COVERAGE_DIGEST_TASK, DELIVER_ALERT_TASK } from "./records.js"

export const DeliverAlertPayload = Schema.Struct({ alertId: Schema.String })

/** graphile-worker adds `_cron: {ts}` (the scheduled time) to the jobs it schedules. */
const cron = { _cron: Schema.optional(Schema.Struct({ ts: Schema.String })) }

export const CoverageDigestPayload = Schema.Struct({
  ...cron,
  day: Schema.optional(Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)))
})

export const deliverAlertTask = defineTask(DELIVER_ALERT_TASK, DeliverAlertPayload, (payload) =>
  Effect.flatMap(AlertDelivery, (delivery) => delivery.deliver(payload.alertId))
)

export const alertDigestsTask = defineTask(ALERT_DIGESTS_TASK, Schema.Struct(cron), () =>
  Effect.flatMap(AlertDigests, (digests) => digests.repeatDigests(new Date()))
)

export const coverageDigestTask = defineTask(COVERAGE_DIGEST_TASK, CoverageDigestPayload, (payload) =>
  Effect.flatMap(AlertDigests, (digests) =>
    // The scheduled time, not the start time: a job that waited past midnight still reports its day.
    digests.coverageDigest({
      now: payload._cron === undefined ? new Date() : new Date(payload._cron.ts),
      day: payload.day
    })
  )
)

export const weeklyReportTask = defineTask(WEEKLY_REPORT_TASK, Schema.Struct(cron), (payload) =>
  Effect.flatMap(AlertDigests, (digests) =>
    digests.weeklyReport(payload._cron === undefined ? new Date() : new Date(payload._cron.ts))
  )
)

export const alertTasks = [deliverAlertTask, alertDigestsTask, coverageDigestTask, weeklyReportTask] as const

/** The next minute's run covers a failed one, so one attempt; an hourly run gets a few. */
export const alertCrontab: ReadonlyArray<string> = [
  `* * * * * ${ALERT_DIGESTS_TASK} ?max=1`,
  `0 * * * * ${COVERAGE_DIGEST_TASK} ?max=3`,
  `5 * * * * ${WEEKLY_REPORT_TASK} ?max=3`
]

/** Alerting for the pipeline, plus what the alert jobs need. */
export const AlertsLive = Layer.mergeAll(AlertingLive, AlertDeliveryLive, AlertDigestsLive).pipe(
  Layer.provide(SlackNotifierLive)
)
