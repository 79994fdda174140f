// The deliver-alert job: one recorded alert -> Slack. Consumes the alert stream (alert-{alertId}),
// alerts.slack from the configuration and the grouping row of the alert's group. Emits on the alert
// stream: AlertSent {channel, ts, occurrences} when posted, AlertSuppressed when it was counted into
// its group's digest (or Slack is no longer configured), AlertDeliveryFailed for each failed post.
// Slack being down never fails the job: a retryable error is recorded and the job re-enqueued with
// backoff (deliveryPolicy.ts) in the same transaction; a permanent one, or the last attempt, is
// recorded as not retryable and delivery stops. Idempotent: a settled stream is left alone. Only our
// own database failing fails the job, and graphile-worker retries it.
import { Context, Effect, Layer, Option, Schedule, Schema } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { Db, type DbError } from "../db/Db.js"
import { AlertDeliveryFailed, AlertSent, AlertSuppressed } from "../events/alerts.js"
import { EventStore, type Job } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { alertStream } from "../events/streams.js"
import { OrderLinks } from "../lib/orderLinks.js"
import type { Alert } from "./alert.js"
import { nextDelivery } from "./deliveryPolicy.js"
import { groupWindowMs, RepeatDigest } from "./grouping.js"
import { claim } from "./groupStore.js"
import { messageFor } from "./index.js"
import { deliverAlertJob, deliveryStatus } from "./records.js"
import { SlackNotifier } from "./SlackNotifier.js"

export interface AlertDeliveryService {
  readonly deliver: (alertId: string) => Effect.Effect<void, DbError>
}

export class AlertDelivery extends Context.Tag("app/alerts/AlertDelivery")<AlertDelivery, AlertDeliveryService>() {}

/** Recording AlertSent after Slack accepted: 0.2 s doubling, 7 retries (about 25 s in all). */
const RECORD_RETRY = Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(7)))

/** Digests were decided when they were raised: they bypass grouping and say how many they cover. */
const occurrencesOf = (alert: Alert): Option.Option<number> => {
  switch (alert.problem) {
    case "repeat_digest":
      return Option.some(
        Option.getOrElse(
          Option.map(Schema.decodeUnknownOption(RepeatDigest)(alert.details.digest), (d) => d.count),
          () => 1
        )
      )
    case "coverage_digest":
    case "weekly_report":
      return Option.some(1)
    default:
      return Option.none()
  }
}

export const AlertDeliveryLive = Layer.effect(
  AlertDelivery,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState
    const slack = yield* SlackNotifier
    const links = yield* Effect.serviceOption(OrderLinks)

    const record = (alertId: string, events: ReadonlyArray<AppEvent>, jobs: ReadonlyArray<Job> = []) =>
      store
        .appendMany([{ streamId: alertStream(alertId), expectedVersion: "any", events }], {
          metadata: { actor: "worker", correlationId: alertId, source: "deliver-alert" },
          jobs
        })
        // "any" appends cannot conflict.
        .pipe(Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e)))

    const deliver = Effect.fn("Alerts.deliver")(function* (alertId: string) {
      const status = deliveryStatus((yield* store.readStream(alertStream(alertId))).map((e) => e.event))
      const alert = status.raised
      if (alert === undefined) return yield* Effect.logWarning(`alert ${alertId} was never raised; nothing to deliver`)
      if (status.settled) return yield* Effect.logDebug(`alert ${alertId} is already delivered`)
      const snapshot = yield* config.current
      const destination = snapshot.alerts?.slack
      if (destination === undefined) {
        yield* record(alertId, [AlertSuppressed.make({ alertId, reason: "slack_not_configured" })])
        return
      }
      const now = new Date()
      const digest = occurrencesOf(alert)
      if (Option.isNone(digest)) {
        const claimed = yield* db.withTransaction(
          db.query("Alerts.claim", (tx) =>
            claim(tx, alert, now, groupWindowMs(destination), { actor: "worker", correlationId: alertId })
          )
        )
        if (claimed !== "post") return yield* Effect.logDebug(`alert ${alertId}: ${claimed}`)
      }
      const orderLink = Option.isNone(links) ? undefined : yield* links.value.linker(snapshot.alerts?.publicUrl)
      const posted = yield* slack.post(destination, messageFor(alert, { orderLink })).pipe(Effect.either)
      if (posted._tag === "Right") {
        const { channel, ts } = posted.right
        // Slack has the message now: failing the job here would make graphile-worker post it again.
        // So the record is retried in place (~25 s of backoff) before the job fails. Residual
        // at-least-once window: the process dying, or the database staying down longer, between
        // Slack's answer and this append; Slack offers no idempotency key for chat.postMessage.
        yield* record(alertId, [
          AlertSent.make({
            alertId,
            channel,
            ...(ts === undefined ? {} : { ts }),
            occurrences: Option.getOrElse(digest, () => 1)
          })
        ]).pipe(
          Effect.tapError((error) =>
            Effect.logWarning(`alert ${alertId} was posted but not recorded yet, retrying: ${error.message}`)
          ),
          Effect.retry(RECORD_RETRY)
        )
        return
      }
      const error = posted.left
      const attempt = status.failures + 1
      const next = nextDelivery(error._tag === "SlackError" ? error : { retryable: false }, attempt)
      const failed = AlertDeliveryFailed.make({
        alertId,
        attempt,
        error: error.message,
        retryable: next._tag === "Retry"
      })
      if (next._tag === "Retry") {
        yield* record(alertId, [failed], [deliverAlertJob(alertId, new Date(now.getTime() + next.delayMs))])
        return yield* Effect.logWarning(
          `could not post alert ${alertId} (attempt ${attempt}), retrying in ${Math.round(next.delayMs / 1000)}s: ${failed.error}`
        )
      }
      yield* record(alertId, [failed])
      yield* Effect.logError(
        `gave up posting alert ${alertId} after ${attempt} attempts (${next.reason}): ${failed.error}`
      )
    })

    return AlertDelivery.of({
      deliver: (alertId) => deliver(alertId).pipe(Effect.annotateLogs({ alertId }))
    })
  })
)
