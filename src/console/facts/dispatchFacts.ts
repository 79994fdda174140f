// The dispatch facts projection: DispatchAttempted and DispatchSucceeded of conversions -> one row per
// (order, target) in dispatch_facts (sql/0052): the identifiers the last request carried, what the
// platform answered, and whether the delivery was acknowledged by the platform itself. Batched like
// the conversions projection: the rows a batch touches are loaded once, folded, and upserted in one
// statement. Adjustments (retractions, restatements) are left out: coverage and match quality are
// about the conversion.
import type { Queryable } from "../../db/Db.js"
import type { RecordedEvent } from "../../events/EventStore.js"
import type { EventType } from "../../events/Events.js"
import type { Projection } from "../../projections/Projection.js"
import { acknowledgement, identifiersSent } from "./exchange.js"

export interface FactRow {
  readonly dispatch_key: string
  readonly order_key: string
  readonly target_id: string
  readonly channel: string
  readonly attempts: number
  readonly identifiers: ReadonlyArray<string>
  readonly acknowledgement: string | null
  readonly succeeded_at: Date | null
  readonly acknowledged: boolean
  readonly last_attempt_at: Date
}

export const ALREADY_RECORDED = "already recorded by the destination"

const keyOf = (orderKey: string, targetId: string) => `${orderKey}|${targetId}`

/** One event folded into the row of its dispatch (pure). */
export const evolveFact = (row: FactRow | undefined, e: RecordedEvent): FactRow | undefined => {
  const event = e.event
  if (event._tag !== "DispatchAttempted" && event._tag !== "DispatchSucceeded") return row
  if (event.kind !== "conversion") return row
  const base: FactRow = row ?? {
    dispatch_key: keyOf(event.orderKey, event.targetId),
    order_key: event.orderKey,
    target_id: event.targetId,
    channel: event._tag === "DispatchAttempted" ? event.channel : "unknown",
    attempts: 0,
    identifiers: [],
    acknowledgement: null,
    succeeded_at: null,
    acknowledged: false,
    last_attempt_at: e.recordedAt
  }
  if (event._tag === "DispatchAttempted") {
    const last = event.exchanges.at(-1)
    return {
      ...base,
      channel: event.channel,
      attempts: Math.max(base.attempts, event.attempt),
      identifiers: last?.request.body === undefined ? base.identifiers : identifiersSent(last),
      acknowledgement: acknowledgement(event.channel, last) ?? null,
      last_attempt_at: e.recordedAt
    }
  }
  const ack = event.alreadyRecorded ? (base.acknowledgement ?? ALREADY_RECORDED) : base.acknowledgement
  return { ...base, acknowledgement: ack, succeeded_at: e.recordedAt, acknowledged: ack !== null }
}

const EVENTS: ReadonlyArray<EventType> = ["DispatchAttempted", "DispatchSucceeded"]

export const dispatchFacts: Projection = {
  name: "dispatch_facts",
  eventTypes: new Set(EVENTS),
  reads: "events",
  table: "dispatch_facts",
  keyColumn: "dispatch_key",
  apply: async (tx: Queryable, generation, events) => {
    const relevant = events.filter(
      (e) =>
        (e.event._tag === "DispatchAttempted" || e.event._tag === "DispatchSucceeded") && e.event.kind === "conversion"
    )
    if (relevant.length === 0) return
    const keyOfEvent = (e: RecordedEvent) => {
      const event = e.event as { orderKey: string; targetId: string }
      return keyOf(event.orderKey, event.targetId)
    }
    const keys = [...new Set(relevant.map(keyOfEvent))]
    const rows = await tx<Array<FactRow>>`
      select dispatch_key, order_key, target_id, channel, attempts, identifiers, acknowledgement, succeeded_at,
             acknowledged, last_attempt_at
      from dispatch_facts where generation = ${generation} and dispatch_key = any(${keys}::text[])`
    const facts = new Map<string, FactRow | undefined>(rows.map((r) => [r.dispatch_key, r]))
    for (const e of relevant) facts.set(keyOfEvent(e), evolveFact(facts.get(keyOfEvent(e)), e))
    const values = keys.flatMap((key) => {
      const row = facts.get(key)
      return row === undefined ? [] : [{ generation, ...row, identifiers: row.identifiers as Array<string> }]
    })
    if (values.length === 0) return
    await tx`
      insert into dispatch_facts ${tx(values)}
      on conflict (generation, dispatch_key) do update set
        channel = excluded.channel, attempts = excluded.attempts, identifiers = excluded.identifiers,
        acknowledgement = excluded.acknowledgement, succeeded_at = excluded.succeeded_at,
        acknowledged = excluded.acknowledged, last_attempt_at = excluded.last_attempt_at`
  }
}
