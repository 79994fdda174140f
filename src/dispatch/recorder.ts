// How the dispatcher writes: every record of a dispatch job goes through here. An outcome is appended
// to the order stream with its alerts and its next job, and releases the run's lease in the same
// transaction; an intent is claimed before each request (intents.ts); a held attempt is recorded and
// alerted. Outcomes of a request that was sent carry ids derived from its intent, so recording them
// is retried in place through a short database outage instead of leaving an ambiguous attempt.
// Records and claims go first with the other dispatches of a batch (one statement, batched.ts); one
// that fails there is made alone, so a batch's trouble is never an item's lost outcome.
import { Effect, FiberRef, Schedule } from "effect"
import { Alerting } from "../alerts/Alerting.js"
import { Db } from "../db/Db.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { DispatchSkipped } from "../events/dispatch.js"
import { EventStore } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { orderStream } from "../events/streams.js"
import { dispatchAmbiguousTotal, dispatchesTotal } from "../lib/metrics.js"
import { type DispatchJobPayload, dispatchJob } from "../rules/plan.js"
import { heldDetail } from "./ambiguity.js"
import type { BatchedIo } from "./batched.js"
import { claimIntents, type Intent, intentEventId, outcomeEventIds } from "./intents.js"
import type { HeldLease } from "./leaseLife.js"
import { releaseLease } from "./leases.js"

/**
 * Recording an outcome (or an intent) again after a database error: 0.2 s doubling, 7 retries
 * (about 25 s). The events carry ids derived from the intent, so a commit whose answer was lost is
 * found stored the second time, not appended twice.
 */
const RECORD_RETRY = Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(7)))

/** The lease the running dispatch holds (see leases.ts), released in the transaction of its outcome. */
export const CurrentLease = FiberRef.unsafeMake<HeldLease | undefined>(undefined)

export const makeRecorder = (io: BatchedIo) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const db = yield* Db
    const alerting = yield* Alerting

    /** `eventIds`: derived from an intent (outcomeEventIds), which makes the record safe to retry in place. */
    const record = (
      orderKey: string,
      events: ReadonlyArray<AppEvent>,
      order: CanonicalOrder | undefined,
      runAt?: { payload: DispatchJobPayload; at: Date },
      eventIds?: ReadonlyArray<string>
    ) =>
      Effect.gen(function* () {
        const alerts = yield* alerting.raise({ events, order, now: new Date() })
        const lease = yield* FiberRef.get(CurrentLease)
        const metadata = { actor: "worker", correlationId: orderKey } as const
        const appends = [
          { streamId: orderStream(orderKey), expectedVersion: "any" as const, events, eventIds },
          ...alerts.appends
        ]
        const jobs = [...(runAt ? [dispatchJob(runAt.payload, runAt.at)] : []), ...alerts.jobs]
        // With the other dispatches of the batch first (one transaction for all, batched.ts); alone if
        // that fails, where a record that must not be lost retries in place.
        const batched = yield* io
          .record(
            appends.map((a) => ({ ...a, metadata })),
            jobs,
            lease
          )
          .pipe(Effect.either)
        if (batched._tag === "Right") {
          if (lease) lease.released = true
          return
        }
        // An append without derived ids is not retried: whether the batch committed it is unknown, so
        // the job fails and its next run decides again from the stream (as a single job always did).
        if (eventIds === undefined) return yield* Effect.fail(batched.left)
        const appendOutcome = store.appendMany(appends, { metadata, jobs })
        // The lease ends with the outcome's commit, so a retry job can never find it still held.
        const append = (
          lease
            ? db.withTransaction(
                Effect.zipLeft(
                  appendOutcome,
                  db.query("Dispatcher.release", (sql) => releaseLease(sql, lease.key, lease.holder))
                )
              )
            : appendOutcome
        ).pipe(
          // "any" appends cannot conflict on the order stream; alert streams are fresh.
          Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e))
        )
        yield* eventIds === undefined
          ? append
          : append.pipe(
              Effect.tapError((error) =>
                Effect.logWarning(`the outcome of a sent request is not recorded yet, retrying: ${error.message}`)
              ),
              Effect.retry(RECORD_RETRY)
            )
        if (lease) lease.released = true
      })

    /** Claims the attempt; false when another run recorded the same attempt first (intents.ts). */
    const claim = (intent: Intent) => io.claim(intent).pipe(Effect.orElse(() => claimAlone(intent)))

    const claimAlone = (intent: Intent) =>
      db
        .query("Dispatcher.intent", (sql) =>
          claimIntents(sql, [intent], { actor: "worker", correlationId: intent.orderKey })
        )
        .pipe(
          Effect.retry({ schedule: RECORD_RETRY, times: 3 }),
          Effect.map(([won]) => won === true)
        )

    /** An ambiguous attempt that cannot be resent: held, alerted, nothing sent. */
    const hold = (
      payload: DispatchJobPayload,
      channel: string,
      attempt: number,
      because: string,
      order: CanonicalOrder
    ) =>
      Effect.gen(function* () {
        dispatchAmbiguousTotal.inc({ channel, resolution: "hold" })
        dispatchesTotal.inc({ channel, outcome: "held" })
        yield* Effect.logWarning(`attempt ${attempt} of ${payload.orderKey} -> ${payload.targetId} is held: ${because}`)
        const held: AppEvent = {
          _tag: "DispatchHeld",
          ...payload,
          attempt,
          channel,
          cause: "outcome_lost",
          detail: heldDetail("outcome_lost", attempt, because)
        }
        yield* record(
          payload.orderKey,
          [held],
          order,
          undefined,
          outcomeEventIds(intentEventId({ ...payload, attempt }), 1, "held")
        )
      })

    const skip = (
      payload: DispatchJobPayload,
      reason: (typeof DispatchSkipped.Type)["reason"],
      detail: string,
      order: CanonicalOrder | undefined
    ) => record(payload.orderKey, [{ _tag: "DispatchSkipped", ...payload, reason, detail }], order)

    return { record, claim, hold, skip }
  })
