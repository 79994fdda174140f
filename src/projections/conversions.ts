// The conversions projection: order-stream events -> one row per order (conversionView.ts), batched:
// the rows a batch touches are loaded once, evolved in memory, and upserted with one statement.
// A rebuild (rebuild.ts) uses the same steps split in two, prepare then write (see `rebuilder`), so it
// can prepare the next batch while the last one is written, and skips loading rows it has not written.
import type { Queryable } from "../db/Db.js"
import type { RecordedEvent } from "../events/EventStore.js"
import type { EventType } from "../events/Events.js"
import { isOrderStream, orderKeyOf } from "../events/streams.js"
import { type ConversionView, columnsOf, foldView } from "./conversionView.js"
import { KeyFilter } from "./keyFilter.js"
import type { EventsProjection, Rebuilder } from "./Projection.js"

const ORDER_EVENTS: ReadonlyArray<EventType> = [
  "OrderNormalized",
  "OrderIgnored",
  "PaymentUpdated",
  "OrderRefunded",
  "OrderCancelled",
  "DispatchPlanned",
  "DispatchAttemptStarted",
  "DispatchAttempted",
  "DispatchSucceeded",
  "DispatchFailed",
  "DispatchSkipped",
  "DispatchDeadLettered",
  "DispatchHeld",
  "DispatchRequested",
  "DispatchImported"
]

/** A batch's events of order streams, by order key, in log order (the keys in order of first event). */
const byOrder = (events: ReadonlyArray<RecordedEvent>): Map<string, Array<RecordedEvent>> => {
  const orders = new Map<string, Array<RecordedEvent>>()
  for (const e of events) {
    if (!isOrderStream(e.streamId)) continue
    const key = orderKeyOf(e.streamId)!
    const list = orders.get(key)
    if (list === undefined) orders.set(key, [e])
    else list.push(e)
  }
  return orders
}

const loadViews = async (
  sql: Queryable,
  generation: number,
  keys: ReadonlyArray<string>
): Promise<Map<string, ConversionView>> => {
  if (keys.length === 0) return new Map()
  const rows = await sql<Array<{ order_key: string; doc: ConversionView }>>`
    select order_key, doc from conversions where generation = ${generation} and order_key = any(${keys as Array<string>}::text[])`
  return new Map(rows.map((r) => [r.order_key, r.doc]))
}

/** The batch's views folded onto the stored ones (`stored`: the rows there are; none for a new order). */
const foldAll = (
  orders: ReadonlyMap<string, ReadonlyArray<RecordedEvent>>,
  stored: (key: string) => ConversionView | undefined
): Map<string, ConversionView> => {
  const views = new Map<string, ConversionView>()
  for (const [key, events] of orders) views.set(key, foldView(stored(key), events))
  return views
}

/**
 * The upsert of a batch's rows, as one jsonb parameter read by jsonb_populate_recordset: one
 * JSON.stringify here and one jsonb parse there, instead of ~24 bound parameters a row.
 */
const upsert = async (tx: Queryable, generation: number, views: ReadonlyMap<string, ConversionView>) => {
  if (views.size === 0) return
  const rows: Array<Record<string, unknown>> = []
  for (const [key, view] of views)
    rows.push({
      generation,
      order_key: key,
      ...columnsOf(view),
      doc: view,
      first_recorded_at: view.firstRecordedAt,
      updated_at: view.updatedAt,
      last_position: view.lastPosition
    })
  await tx`
    insert into conversions (
      generation, order_key, source_id, company, market, partner, status, value_minor, currency, placed_at,
      paid_at, ignored_reason, test, has_click_id, missing_tracking, utm_campaign, dispatch_state, doc,
      first_recorded_at, updated_at, last_position, tracking_state, click_keys, consent)
    select generation, order_key, source_id, company, market, partner, status, value_minor, currency, placed_at,
      paid_at, ignored_reason, test, has_click_id, missing_tracking, utm_campaign, dispatch_state, doc,
      first_recorded_at, updated_at, last_position, tracking_state, click_keys, consent
    from jsonb_populate_recordset(null::conversions, ${tx.json(rows as never)}::jsonb)
    on conflict (generation, order_key) do update set
      source_id = excluded.source_id, company = excluded.company, market = excluded.market,
      partner = excluded.partner, status = excluded.status, value_minor = excluded.value_minor,
      currency = excluded.currency, placed_at = excluded.placed_at, paid_at = excluded.paid_at,
      ignored_reason = excluded.ignored_reason, test = excluded.test, has_click_id = excluded.has_click_id,
      missing_tracking = excluded.missing_tracking, tracking_state = excluded.tracking_state,
      utm_campaign = excluded.utm_campaign, click_keys = excluded.click_keys, consent = excluded.consent,
      dispatch_state = excluded.dispatch_state, doc = excluded.doc, updated_at = excluded.updated_at,
      last_position = excluded.last_position`
}

/**
 * A rebuild's two steps. The views of the batch prepared last are kept (they may not be written
 * yet when the next batch is prepared), and a filter of every key written: an order it has never
 * seen has no row in the new generation, so only the others are loaded. Memory: the filter's fixed
 * size and one batch's views.
 */
const rebuilder = (generation: number): Rebuilder<Map<string, ConversionView>> => {
  const written = new KeyFilter()
  let last = new Map<string, ConversionView>()
  return {
    prepare: async (sql, events) => {
      const orders = byOrder(events)
      const toLoad: Array<string> = []
      for (const key of orders.keys()) if (!last.has(key) && written.mayHave(key)) toLoad.push(key)
      const loaded = await loadViews(sql, generation, toLoad)
      // Folded in slices, the event loop free in between (the batch before is being written).
      const views = new Map<string, ConversionView>()
      let n = 0
      for (const [key, events] of orders) {
        views.set(key, foldView(last.get(key) ?? loaded.get(key), events))
        n += events.length
        if (n >= 500) {
          n = 0
          await new Promise<void>((resolve) => setImmediate(resolve))
        }
      }
      for (const key of orders.keys()) written.add(key)
      last = views
      return views
    },
    write: (tx, views) => upsert(tx, generation, views)
  }
}

export const conversions: EventsProjection = {
  name: "conversions",
  eventTypes: new Set(ORDER_EVENTS),
  reads: "events",
  table: "conversions",
  keyColumn: "order_key",
  apply: async (tx: Queryable, generation, events) => {
    const orders = byOrder(events)
    if (orders.size === 0) return
    const loaded = await loadViews(tx, generation, [...orders.keys()])
    await upsert(
      tx,
      generation,
      foldAll(orders, (key) => loaded.get(key))
    )
  },
  rebuilder
}
