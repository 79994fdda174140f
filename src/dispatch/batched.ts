// The dispatcher's I/O as Effect Requests, so that a batch of dispatches run together
// (`Effect.forEach(items, run, { batching: true })`, DispatchBatchJob.ts) makes one statement or one
// channel request per step for all of them, while each item keeps its own decisions (Dispatcher.ts):
//   AcquireLease   one INSERT ... ON CONFLICT for every lease of the batch
//   ReadStream     one SELECT for every order stream (EventStore.readStreams)
//   ClaimIntent    one s2s_append for every intent (intents.ts claimIntents)
//   Send           one sendMany per target (Meta up to 1,000 events a request, Data Manager 2,000,
//                  postbacks concurrently per host), under the target's guard timeout
//   RecordOutcome  one transaction: every outcome appended with its alerts and jobs, every lease released
// A single dispatch (a retry job) makes batches of one: the same code path.
// A batched statement that fails fails each of its requests: the items fall back to their own
// statement (Dispatcher.ts, recorder.ts), so one item's trouble never decides the others'.
import { Duration, Effect, Either, Request, RequestResolver } from "effect"
import { Secrets } from "../config/Secrets.js"
import { Db, type DbError } from "../db/Db.js"
import type { Target } from "../events/configSchema.js"
import { EventStore, type PendingAppend, type RecordedEvent } from "../events/EventStore.js"
import type { Job } from "../events/store.js"
import { distinctJobKeys } from "../jobs/queue.js"
import { type ChannelAdapter, ChannelError, type DispatchInput, type ItemOutcome, sendMany } from "./Channel.js"
import { claimIntents, type Intent } from "./intents.js"
import { acquireLeases, releaseLeases } from "./leases.js"

export interface AcquireLease extends Request.Request<string | undefined, DbError> {
  readonly _tag: "AcquireLease"
  readonly key: string
  readonly ttlMs: number
  readonly pool: string | undefined
  /** The run's holder token (leases.ts newHolder), reused when it tries again alone. */
  readonly holder: string
}
export const AcquireLease = Request.tagged<AcquireLease>("AcquireLease")

export interface ReadStream extends Request.Request<ReadonlyArray<RecordedEvent>, DbError> {
  readonly _tag: "ReadStream"
  readonly streamId: string
}
export const ReadStream = Request.tagged<ReadStream>("ReadStream")

export interface ClaimIntent extends Request.Request<boolean, DbError> {
  readonly _tag: "ClaimIntent"
  readonly intent: Intent
}
export const ClaimIntent = Request.tagged<ClaimIntent>("ClaimIntent")

export interface Send extends Request.Request<ItemOutcome, never> {
  readonly _tag: "Send"
  readonly adapter: ChannelAdapter
  readonly input: DispatchInput
  readonly guardMs: number
}
export const Send = Request.tagged<Send>("Send")

export interface RecordOutcome extends Request.Request<void, DbError> {
  readonly _tag: "RecordOutcome"
  readonly appends: ReadonlyArray<PendingAppend>
  readonly jobs: ReadonlyArray<Job>
  readonly lease: { readonly key: string; readonly holder: string } | undefined
}
export const RecordOutcome = Request.tagged<RecordOutcome>("RecordOutcome")

/** Completes every request with the same failure. */
const failAll =
  <R extends Request.Request<unknown, DbError>>(requests: ReadonlyArray<R>) =>
  (error: DbError) =>
    Effect.forEach(requests, (r) => Request.fail(r, error as Request.Request.Error<R>), { discard: true })

export const makeBatchedIo = Effect.gen(function* () {
  const db = yield* Db
  const store = yield* EventStore

  const leases = RequestResolver.makeBatched((requests: ReadonlyArray<AcquireLease>) =>
    db
      .query("Dispatcher.leases", (sql) => acquireLeases(sql, requests))
      .pipe(
        Effect.flatMap((holders) =>
          Effect.forEach(requests, (r, i) => Request.succeed(r, holders[i]), { discard: true })
        ),
        Effect.catchAll(failAll(requests))
      )
  )

  const streams = RequestResolver.makeBatched((requests: ReadonlyArray<ReadStream>) =>
    store.readStreams([...new Set(requests.map((r) => r.streamId))]).pipe(
      Effect.flatMap((events) => {
        const byStream = new Map<string, Array<RecordedEvent>>()
        for (const e of events) {
          const list = byStream.get(e.streamId)
          if (list === undefined) byStream.set(e.streamId, [e])
          else list.push(e)
        }
        for (const list of byStream.values()) list.sort((a, b) => a.version - b.version)
        return Effect.forEach(requests, (r) => Request.succeed(r, byStream.get(r.streamId) ?? []), { discard: true })
      }),
      Effect.catchAll(failAll(requests))
    )
  )

  const intents = RequestResolver.makeBatched((requests: ReadonlyArray<ClaimIntent>) =>
    db
      .query("Dispatcher.intents", (sql) =>
        claimIntents(
          sql,
          requests.map((r) => r.intent),
          { actor: "worker" }
        )
      )
      .pipe(
        Effect.flatMap((won) =>
          Effect.forEach(requests, (r, i) => Request.succeed(r, won[i] === true), { discard: true })
        ),
        Effect.catchAll(failAll(requests))
      )
  )

  const sends = RequestResolver.makeBatched((requests: ReadonlyArray<Send>) => {
    const groups = new Map<string, Array<Send>>()
    for (const r of requests) {
      const key = `${r.adapter.channel}\u0000${r.input.target.id}`
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [r])
      else group.push(r)
    }
    return Effect.forEach(groups.values(), (group) => sendGroup(group), { concurrency: "unbounded", discard: true })
  })

  const sendGroup = (group: ReadonlyArray<Send>): Effect.Effect<void, never, Secrets> => {
    const first = group[0]!
    const guardMs = batchGuardMs(first.guardMs, group.length)
    return sendMany(
      first.adapter,
      group.map((r) => r.input)
    ).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(guardMs),
        onTimeout: () => timedOut(first.input.target, guardMs)
      }),
      Effect.either,
      Effect.flatMap((outcomes) =>
        Effect.forEach(
          group,
          (r, i) =>
            Request.succeed(
              r,
              Either.isLeft(outcomes)
                ? Either.left(outcomes.left)
                : (outcomes.right[i] ?? Either.left(missing(r.input.target)))
            ),
          { discard: true }
        )
      )
    )
  }

  const records = RequestResolver.makeBatched((requests: ReadonlyArray<RecordOutcome>) =>
    db
      .withTransaction(
        Effect.zipRight(
          store.appendMany(
            requests.flatMap((r) => r.appends),
            { jobs: distinctJobKeys(requests.flatMap((r) => r.jobs)) }
          ),
          db.query("Dispatcher.release", (sql) =>
            releaseLeases(
              sql,
              requests.flatMap((r) => (r.lease === undefined ? [] : [r.lease]))
            )
          )
        )
      )
      .pipe(
        // "any" appends cannot conflict on the order stream; alert streams are fresh.
        Effect.catchTag("WrongExpectedVersion", (e) => Effect.die(e)),
        Effect.flatMap(() => Effect.forEach(requests, (r) => Request.succeed(r, undefined), { discard: true })),
        Effect.catchAll(failAll(requests))
      )
  )

  return {
    acquireLease: (key: string, ttlMs: number, pool: string | undefined, holder: string) =>
      Effect.request(AcquireLease({ key, ttlMs, pool, holder }), leases),
    readStream: (streamId: string) => Effect.request(ReadStream({ streamId }), streams),
    claim: (intent: Intent) => Effect.request(ClaimIntent({ intent }), intents),
    send: (adapter: ChannelAdapter, input: DispatchInput, guardMs: number) =>
      Effect.request(Send({ adapter, input, guardMs }), RequestResolver.contextFromServices(Secrets)(sends)),
    record: (appends: ReadonlyArray<PendingAppend>, jobs: ReadonlyArray<Job>, lease: RecordOutcome["lease"]) =>
      Effect.request(RecordOutcome({ appends, jobs, lease }), records)
  }
})

export type BatchedIo = Effect.Effect.Success<typeof makeBatchedIo>

/**
 * The guard around one sendMany of `items` dispatches: a backstop against an adapter that never
 * answers, since each request has its own timeout inside the adapter, which fires first and records
 * what it sent. A batch makes requests one after another: postbacks 8 at a time per host (so about
 * items / 8 rounds), a refused Meta or Data Manager request split in halves (2 log2(items) more), so
 * the guard allows one single-send guard per such round.
 */
export const batchGuardMs = (guardMs: number, items: number): number =>
  items <= 1 ? guardMs : guardMs * (Math.ceil(items / 8) + 2 * Math.ceil(Math.log2(items)))

const timedOut = (target: Target, guardMs: number) =>
  new ChannelError({
    channel: target.channel,
    reason: "Timeout",
    retryable: true,
    detail: `the ${target.channel} adapter gave no result within ${guardMs} ms`,
    // What the adapter did meanwhile is unknown: its request may have gone out.
    outcomeUnknown: true,
    exchanges: []
  })

const missing = (target: Target) =>
  new ChannelError({
    channel: target.channel,
    reason: "Transport",
    retryable: true,
    detail: `the ${target.channel} adapter returned no outcome for this dispatch`,
    outcomeUnknown: true,
    exchanges: []
  })
