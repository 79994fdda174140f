// The two digests, run by cron jobs (AlertJobs.ts). Consumes alert_groups (repeat digests) and the
// conversions read model plus the partner rules (coverage). Emits AlertRaised repeat_digest /
// coverage_digest on their own streams, each with its deliver-alert job in the same transaction, so
// posting, retries and AlertSent work as for any alert (digests skip grouping). Nothing happens
// without alerts.slack: digests exist only to be read in Slack. Idempotent: a closed window is
// deleted in the transaction that records its digest, and a day's coverage digest is recorded once
// (its stream alert-coverage_digest:{day} exists from then on).
import { Context, Effect, Layer } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { Db, type DbError } from "../db/Db.js"
import { EventStore } from "../events/EventStore.js"
import { streamVersion } from "../events/store.js"
import { alertStream } from "../events/streams.js"
import { aggregate } from "../reports/figures.js"
import { reportOrders } from "../reports/query.js"
import { coverageDigestAlert, coverageFrom } from "./coverage.js"
import { coverageRows, previousDay } from "./coverageQuery.js"
import { groupWindowMs } from "./grouping.js"
import { closeWindows } from "./groupStore.js"
import { deliverAlertJob, raisedAppend } from "./records.js"
import { biggestChange, weekDue, weeklyReportAlert } from "./weekly.js"

const compactChange = <A>(change: A | undefined) => (change === undefined ? {} : { biggestChange: change })

export const DEFAULT_DIGEST_HOUR = 7

export interface AlertDigestsService {
  /** Posts a digest for every group whose window ended before `now`; returns how many. */
  readonly repeatDigests: (now: Date) => Effect.Effect<number, DbError>
  /**
   * The coverage digest of `day` (YYYY-MM-DD, UTC); without a day, of the day before `now` once
   * digestHour has come (a run missed at that hour is caught up by the next). Returns the day
   * recorded, if this call recorded one.
   */
  readonly coverageDigest: (options: {
    readonly now: Date
    readonly day?: string | undefined
  }) => Effect.Effect<string | undefined, DbError>
  /** The weekly outcome summary, once its weekday and hour came (alerts.slack.weeklyReport); the week's first day. */
  readonly weeklyReport: (now: Date) => Effect.Effect<string | undefined, DbError>
}

export class AlertDigests extends Context.Tag("app/alerts/AlertDigests")<AlertDigests, AlertDigestsService>() {}

const metadata = (source: string) => ({ actor: "worker", source })

export const AlertDigestsLive = Layer.effect(
  AlertDigests,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState

    const repeatDigests = Effect.fn("Alerts.repeatDigests")(function* (now: Date) {
      const slack = (yield* config.current).alerts?.slack
      if (slack === undefined) return 0
      const count = yield* db.withTransaction(
        db.query("Alerts.closeWindows", (tx) => closeWindows(tx, now, groupWindowMs(slack), metadata("alert-digests")))
      )
      if (count > 0) yield* Effect.logInfo(`recorded ${count} repeat digests`)
      return count
    })

    const coverageDigest = Effect.fn("Alerts.coverageDigest")(function* (options: {
      readonly now: Date
      readonly day?: string | undefined
    }) {
      const snapshot = yield* config.current
      const slack = snapshot.alerts?.slack
      if (slack === undefined) return undefined
      if (options.day === undefined && options.now.getUTCHours() < (slack.digestHour ?? DEFAULT_DIGEST_HOUR))
        return undefined
      const day = options.day ?? previousDay(options.now)
      // The id alone tells whether the day is done; reading a day of orders again is not needed.
      const { alertId } = coverageDigestAlert(coverageFrom([]), day)
      if ((yield* db.query("Alerts.coverageDone", (sql) => streamVersion(sql, alertStream(alertId)))) > 0)
        return undefined
      const rows = yield* db.query("Alerts.coverageRows", (sql) => coverageRows(sql, day, snapshot.partners))
      const alert = coverageDigestAlert(coverageFrom(rows), day)
      yield* store
        .appendMany([raisedAppend(alert)], {
          metadata: metadata("alert-coverage-digest"),
          jobs: [deliverAlertJob(alert.alertId)]
        })
        // A concurrent run recorded the same day first: its event id is ours, so this never conflicts.
        .pipe(Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e)))
      yield* Effect.logInfo(`recorded the coverage digest of ${day}: ${alert.summary}`)
      return day
    })

    const weeklyReport = Effect.fn("Alerts.weeklyReport")(function* (now: Date) {
      const setting = (yield* config.current).alerts?.slack?.weeklyReport
      const week = setting === undefined ? undefined : weekDue(now, setting)
      if (week === undefined) return undefined
      const first = week.from.toISOString().slice(0, 10)
      if (
        (yield* db.query("Alerts.weeklyDone", (sql) => streamVersion(sql, alertStream(`weekly_report:${first}`)))) > 0
      )
        return undefined
      const [current, previous] = yield* Effect.all([
        db.query("Alerts.weeklyOrders", (sql) => reportOrders(sql, week.from, week.to)),
        db.query("Alerts.weeklyPrevious", (sql) => reportOrders(sql, week.previousFrom, week.from))
      ])
      const now7 = aggregate(current, ["company", "partner"])
      const before7 = aggregate(previous, ["company", "partner"])
      const alert = weeklyReportAlert({
        from: week.from.toISOString(),
        to: week.to.toISOString(),
        totals: now7.totals,
        previousTotals: before7.totals,
        companies: aggregate(current, ["company"]).rows.map((r) => ({ company: r.group.company ?? "-", figures: r })),
        ...compactChange(biggestChange(now7.rows, before7.rows))
      })
      yield* store
        .appendMany([raisedAppend(alert)], {
          metadata: metadata("alert-weekly-report"),
          jobs: [deliverAlertJob(alert.alertId)]
        })
        .pipe(Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e)))
      yield* Effect.logInfo(`recorded the weekly report from ${first}: ${alert.summary}`)
      return first
    })

    return AlertDigests.of({ repeatDigests, coverageDigest, weeklyReport })
  })
)
