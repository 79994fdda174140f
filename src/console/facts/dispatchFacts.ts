// The dispatch facts projection: every dispatch event -> one row per (order, target, kind) in
// dispatch_facts (sql/0005_projections.sql): its state as the dispatcher's own evolveDispatch folds it (so a state the
// dispatcher adds shows here as it is), the identifiers the last request carried and whether the
// platform acknowledged it. The state machine's next status depends only on the previous status, so a
// row keeps just that (and the counters the console shows), not the dispatcher's whole entry. Batched
// like the conversions projection: the rows of the orders a batch touches are loaded once, folded in
// memory and upserted in one statement.

import {
  type DispatchEntry,
  type DispatchState,
  type DispatchStatus,
  dispatchKey,
  evolveDispatch
} from "../../conversion/dispatch.js"
import type { Queryable } from "../../db/Db.js"
import type { DispatchKind } from "../../events/dispatch.js"
import type { RecordedEvent } from "../../events/EventStore.js"
import type { EventType } from "../../events/Events.js"
import { isOrderStream, orderKeyOf } from "../../events/streams.js"
import type { Projection } from "../../projections/Projection.js"
import { acknowledgement, identifiersSent } from "./exchange.js"

export interface Fact {
  readonly targetId: string
  readonly kind: DispatchKind
  readonly channel: string
  readonly status: DispatchStatus
  readonly attempts: number
  readonly lastAttemptAt: string | undefined
  /** Why the last attempt failed; kept while the dispatch is not delivered. */
  readonly lastReason: string | undefined
  readonly identifiers: ReadonlyArray<string>
  readonly acknowledgement: string | null
  readonly acknowledged: boolean
  readonly updatedAt: Date
}

/** One order's dispatches, by dispatchKey(target, kind). */
export type OrderFacts = ReadonlyMap<string, Fact>

export const ALREADY_RECORDED = "already recorded by the destination"

// Every event evolveDispatch folds: intents count attempts, a hold is a state of its own, an imported
// dispatch (sent by the system s2s replaced) is delivered.
const EVENTS: ReadonlyArray<EventType> = [
  "DispatchPlanned",
  "DispatchAttemptStarted",
  "DispatchAttempted",
  "DispatchSucceeded",
  "DispatchFailed",
  "DispatchSkipped",
  "DispatchDeadLettered",
  "DispatchHeld",
  "DispatchImported",
  "DispatchRequested"
]

const entryOf = (f: Fact): DispatchEntry => ({
  targetId: f.targetId,
  kind: f.kind,
  channel: f.channel,
  ruleId: "",
  status: f.status,
  attempts: f.attempts,
  lastAttemptAt: f.lastAttemptAt,
  lastReason: f.lastReason
})

/** One event folded into an order's facts (pure). */
export const evolveFacts = (facts: OrderFacts, e: RecordedEvent): OrderFacts => {
  const before: DispatchState = new Map([...facts].map(([k, f]) => [k, entryOf(f)]))
  const after = evolveDispatch(before, e.event, e.recordedAt.toISOString())
  if (after === before) return facts
  const event = e.event
  const next = new Map(facts)
  for (const [key, entry] of after) {
    if (before.get(key) === entry) continue
    const fact = next.get(key)
    let updated: Fact = {
      targetId: entry.targetId,
      kind: entry.kind,
      channel: entry.channel,
      status: entry.status,
      attempts: entry.attempts,
      lastAttemptAt: entry.lastAttemptAt,
      lastReason: entry.lastReason,
      identifiers: fact?.identifiers ?? [],
      acknowledgement: fact?.acknowledgement ?? null,
      acknowledged: entry.status === "succeeded" && (fact?.acknowledged ?? false),
      updatedAt: e.recordedAt
    }
    if (event._tag === "DispatchAttempted") {
      const last = event.exchanges.at(-1)
      updated = {
        ...updated,
        identifiers: last?.request.body === undefined ? updated.identifiers : identifiersSent(last),
        acknowledgement: acknowledgement(event.channel, last) ?? null,
        acknowledged: false
      }
    } else if (event._tag === "DispatchSucceeded") {
      const ack = event.alreadyRecorded ? (updated.acknowledgement ?? ALREADY_RECORDED) : updated.acknowledgement
      updated = { ...updated, acknowledgement: ack, acknowledged: ack !== null }
    }
    next.set(key, updated)
  }
  return next
}

interface FactRow {
  readonly order_key: string
  readonly target_id: string
  readonly kind: DispatchKind
  readonly channel: string
  readonly status: DispatchStatus
  readonly attempts: number
  readonly last_attempt_at: Date | null
  readonly last_reason: string | null
  readonly identifiers: ReadonlyArray<string>
  readonly acknowledgement: string | null
  readonly acknowledged: boolean
  readonly updated_at: Date
}

const factOf = (r: FactRow): Fact => ({
  targetId: r.target_id,
  kind: r.kind,
  channel: r.channel,
  status: r.status,
  attempts: r.attempts,
  lastAttemptAt: r.last_attempt_at?.toISOString(),
  lastReason: r.last_reason ?? undefined,
  identifiers: r.identifiers,
  acknowledgement: r.acknowledgement,
  acknowledged: r.acknowledged,
  updatedAt: r.updated_at
})

export const dispatchFacts: Projection = {
  name: "dispatch_facts",
  eventTypes: new Set(EVENTS),
  reads: "events",
  table: "dispatch_facts",
  keyColumn: "dispatch_key",
  apply: async (tx: Queryable, generation, events) => {
    const relevant = events.filter((e) => isOrderStream(e.streamId))
    if (relevant.length === 0) return
    const orderKeys = [...new Set(relevant.map((e) => orderKeyOf(e.streamId)!))]
    const rows = await tx<Array<FactRow>>`
      select order_key, target_id, kind, channel, status, attempts, last_attempt_at, last_reason, identifiers,
             acknowledgement, acknowledged, updated_at
      from dispatch_facts where generation = ${generation} and order_key = any(${orderKeys}::text[])`
    const loaded = new Map<string, Map<string, Fact>>(orderKeys.map((k) => [k, new Map()]))
    for (const r of rows) loaded.get(r.order_key)?.set(dispatchKey(r.target_id, r.kind), factOf(r))
    const folded = new Map<string, OrderFacts>(loaded)
    for (const e of relevant) {
      const key = orderKeyOf(e.streamId)!
      folded.set(key, evolveFacts(folded.get(key) ?? new Map(), e))
    }
    const values = [...folded].flatMap(([orderKey, facts]) =>
      [...facts].flatMap(([key, f]) =>
        loaded.get(orderKey)?.get(key) === f
          ? []
          : [
              {
                generation,
                dispatch_key: `${orderKey}|${key}`,
                order_key: orderKey,
                target_id: f.targetId,
                kind: f.kind,
                channel: f.channel,
                status: f.status,
                attempts: f.attempts,
                last_reason: f.status === "succeeded" ? null : (f.lastReason ?? null),
                identifiers: f.identifiers as Array<string>,
                acknowledgement: f.acknowledgement,
                acknowledged: f.acknowledged,
                last_attempt_at: f.lastAttemptAt ?? null,
                updated_at: f.updatedAt
              }
            ]
      )
    )
    if (values.length === 0) return
    await tx`
      insert into dispatch_facts ${tx(values)}
      on conflict (generation, dispatch_key) do update set
        channel = excluded.channel, status = excluded.status, attempts = excluded.attempts,
        last_reason = excluded.last_reason, identifiers = excluded.identifiers,
        acknowledgement = excluded.acknowledgement, acknowledged = excluded.acknowledged,
        last_attempt_at = excluded.last_attempt_at, updated_at = excluded.updated_at`
  }
}
