// Intents: a DispatchAttemptStarted on the order's stream, appended before every channel request.
//
// Why: the crash window between a destination's answer and our record of it. After a crash, an
// intent with no outcome after it says "attempt N may have reached the destination", so the next run
// never sends blindly (ambiguity.ts decides: resend where the destination deduplicates, else hold).
//
// Exactly one sender per attempt: the intent's event id is derived from (order, target, kind,
// attempt), so when two runners decide the same attempt (a worker paused past its lease or job lock
// wakes while its job runs elsewhere) both append the same id and s2s_append stores only the first;
// the other finds it stored under another runner and does not send. A runner whose append was
// committed but not acknowledged (a lost connection) finds its own runner token and goes on.
//
// Cost: one statement (s2s_append, "any" version, no jobs). claimIntents takes any number of
// intents, of many orders, in that one statement, for callers that dispatch in batches.
import type { Queryable } from "../db/Db.js"
import type { DispatchKind } from "../events/dispatch.js"
import { appendInTransaction, type PendingAppend } from "../events/EventStore.js"
import type { EventMetadata } from "../events/Events.js"
import { readEvents } from "../events/reads.js"
import { orderStream } from "../events/streams.js"
import { nameUuid } from "../lib/uuid.js"

export interface Intent {
  readonly orderKey: string
  readonly targetId: string
  readonly kind: DispatchKind
  readonly attempt: number
  readonly channel: string
  /** Unique per run (the lease holder token). */
  readonly runner: string
  /** The attempt whose outcome was unknown and which this one sends again. */
  readonly resendOf?: number | undefined
}

/** The intent's event id: the same for every runner that decides this attempt. */
export const intentEventId = (i: Pick<Intent, "orderKey" | "targetId" | "kind" | "attempt">): string =>
  nameUuid("DispatchAttemptStarted", i.orderKey, i.targetId, i.kind, i.attempt)

/**
 * Ids for the events that record an attempt's outcome (or a hold), derived from its intent: a record
 * retried after a commit whose answer was lost is found stored, not appended twice.
 */
export const outcomeEventIds = (intentId: string, count: number, label = "outcome"): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, i) => nameUuid(intentId, label, i))

export const intentAppend = (intent: Intent): PendingAppend => ({
  streamId: orderStream(intent.orderKey),
  expectedVersion: "any",
  events: [
    {
      _tag: "DispatchAttemptStarted",
      orderKey: intent.orderKey,
      targetId: intent.targetId,
      kind: intent.kind,
      attempt: intent.attempt,
      channel: intent.channel,
      runner: intent.runner,
      ...(intent.resendOf === undefined ? {} : { resendOf: intent.resendOf })
    }
  ],
  eventIds: [intentEventId(intent)]
})

/**
 * Records the intents in one statement; per intent, whether this runner holds it (true: send; false:
 * another runner recorded the same attempt first and is, or was, sending it).
 */
export const claimIntents = async (
  sql: Queryable,
  intents: ReadonlyArray<Intent>,
  metadata: EventMetadata
): Promise<ReadonlyArray<boolean>> => {
  if (intents.length === 0) return []
  const result = await appendInTransaction(
    sql,
    intents.map((intent) => ({ ...intentAppend(intent), metadata: { ...metadata, correlationId: intent.orderKey } })),
    { metadata }
  )
  // One result per append, in stream order; intents of one stream keep their order among themselves.
  const byStream = new Map<string, Array<number>>()
  for (const r of result.streams) byStream.set(r.streamId, [...(byStream.get(r.streamId) ?? []), r.version])
  const won = intents.map(() => false)
  const stored: Array<number> = []
  intents.forEach((intent, i) => {
    const version = byStream.get(orderStream(intent.orderKey))?.shift()
    if (version !== undefined && version !== -1) won[i] = true
    else stored.push(i)
  })
  if (stored.length > 0) {
    // Stored already: ours from an earlier try of this same append, or another runner's.
    const ids = stored.map((i) => intentEventId(intents[i]!))
    const runners = new Map(
      (await readEvents(sql, ids)).map((e) => [e.eventId, (e.data as { runner?: unknown }).runner])
    )
    stored.forEach((i, k) => {
      won[i] = runners.get(ids[k]!) === intents[i]!.runner
    })
  }
  return won
}
