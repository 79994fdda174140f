// The dispatch facts projection: every dispatch event -> one row per (order, target, kind) in
// dispatch_facts (sql/0052), its state folded with the dispatcher's own evolveDispatch (so a state the
// dispatcher adds shows here as it is), plus the identifiers the last request carried and whether
// the platform acknowledged it. Batched like the conversions projection: the rows of the orders a
// batch touches are loaded once, folded in memory and upserted in one statement.
import type { Queryable } from "../../db/Db.js"
import { type DispatchEntry, type DispatchState, dispatchKey, evolveDispatch } from "../../dispatch/state.js"
import type { RecordedEvent } from "../../events/EventStore.js"
import type { EventType } from "../../events/Events.js"
import type { Projection } from "../../projections/Projection.js"
import { acknowledgement, identifiersSent } from "./exchange.js"

export interface Fact {
  readonly entry: DispatchEntry
  readonly identifiers: ReadonlyArray<string>
  readonly acknowledgement: string | null
  readonly acknowledged: boolean
  readonly updatedAt: Date
}

/** One order's dispatches, by dispatchKey(target, kind). */
export type OrderFacts = ReadonlyMap<string, Fact>

export const ALREADY_RECORDED = "already recorded by the destination"

const EVENTS: ReadonlyArray<EventType> = [
  "DispatchPlanned",
  "DispatchAttempted",
  "DispatchSucceeded",
  "DispatchFailed",
  "DispatchSkipped",
  "DispatchDeadLettered",
  "DispatchRequested"
]

/** One event folded into an order's facts (pure). */
export const evolveFacts = (facts: OrderFacts, e: RecordedEvent): OrderFacts => {
  const at = e.recordedAt.toISOString()
  const before: DispatchState = new Map([...facts].map(([k, f]) => [k, f.entry]))
  const after = evolveDispatch(before, e.event, at)
  if (after === before) return facts
  const event = e.event
  const next = new Map(facts)
  for (const [key, entry] of after) {
    if (before.get(key) === entry) continue
    const { lastMessage: _kept, ...stored } = entry
    const fact: Fact = next.get(key) ?? {
      entry: stored,
      identifiers: [],
      acknowledgement: null,
      acknowledged: false,
      updatedAt: e.recordedAt
    }
    let updated: Fact = { ...fact, entry: stored, updatedAt: e.recordedAt }
    if (event._tag === "DispatchAttempted") {
      const last = event.exchanges.at(-1)
      updated = {
        ...updated,
        identifiers: last?.request.body === undefined ? fact.identifiers : identifiersSent(last),
        acknowledgement: acknowledgement(event.channel, last) ?? null,
        acknowledged: false
      }
    } else if (event._tag === "DispatchSucceeded") {
      const ack = event.alreadyRecorded ? (fact.acknowledgement ?? ALREADY_RECORDED) : fact.acknowledgement
      updated = { ...updated, acknowledgement: ack, acknowledged: ack !== null }
    } else if (entry.status !== "succeeded") updated = { ...updated, acknowledged: false }
    next.set(key, updated)
  }
  return next
}

interface FactRow {
  readonly dispatch_key: string
  readonly order_key: string
  readonly entry: DispatchEntry
  readonly identifiers: ReadonlyArray<string>
  readonly acknowledgement: string | null
  readonly acknowledged: boolean
  readonly updated_at: Date
}

export const dispatchFacts: Projection = {
  name: "dispatch_facts",
  eventTypes: new Set(EVENTS),
  reads: "events",
  table: "dispatch_facts",
  keyColumn: "dispatch_key",
  apply: async (tx: Queryable, generation, events) => {
    const relevant = events.filter((e) => e.streamId.startsWith("order-"))
    if (relevant.length === 0) return
    const orderKeys = [...new Set(relevant.map((e) => e.streamId.slice("order-".length)))]
    const rows = await tx<Array<FactRow>>`
      select dispatch_key, order_key, entry, identifiers, acknowledgement, acknowledged, updated_at
      from dispatch_facts where generation = ${generation} and order_key = any(${orderKeys}::text[])`
    const byOrder = new Map<string, OrderFacts>(orderKeys.map((k) => [k, new Map()]))
    for (const r of rows)
      (byOrder.get(r.order_key) as Map<string, Fact>).set(dispatchKey(r.entry.targetId, r.entry.kind), {
        entry: r.entry,
        identifiers: r.identifiers,
        acknowledgement: r.acknowledgement,
        acknowledged: r.acknowledged,
        updatedAt: r.updated_at
      })
    const loaded = new Map([...byOrder].map(([k, facts]) => [k, new Map(facts)]))
    for (const e of relevant) {
      const key = e.streamId.slice("order-".length)
      byOrder.set(key, evolveFacts(byOrder.get(key) ?? new Map(), e))
    }
    const values = [...byOrder].flatMap(([orderKey, facts]) =>
      [...facts].flatMap(([key, f]) =>
        loaded.get(orderKey)?.get(key) === f
          ? []
          : [
              {
                generation,
                dispatch_key: `${orderKey}|${key}`,
                order_key: orderKey,
                target_id: f.entry.targetId,
                kind: f.entry.kind,
                channel: f.entry.channel,
                status: f.entry.status,
                attempts: f.entry.attempts,
                entry: f.entry as unknown as string,
                identifiers: f.identifiers as Array<string>,
                acknowledgement: f.acknowledgement,
                acknowledged: f.acknowledged,
                last_attempt_at: f.entry.lastAttemptAt ?? null,
                updated_at: f.updatedAt
              }
            ]
      )
    )
    if (values.length === 0) return
    await tx`
      insert into dispatch_facts ${tx(values)}
      on conflict (generation, dispatch_key) do update set
        channel = excluded.channel, status = excluded.status, attempts = excluded.attempts, entry = excluded.entry,
        identifiers = excluded.identifiers, acknowledgement = excluded.acknowledgement,
        acknowledged = excluded.acknowledged, last_attempt_at = excluded.last_attempt_at,
        updated_at = excluded.updated_at`
  }
}
