// The conversions projection: order-stream events -> one row per order (conversionView.ts), batched:
// the rows a batch touches are loaded once, evolved in memory, and upserted with one statement.
import type { Queryable } from "../db/Db.js"
import type { EventType } from "../events/Events.js"
import { isOrderStream, orderKeyOf } from "../events/streams.js"
import { type ConversionView, columnsOf, evolveView } from "./conversionView.js"
import type { Projection } from "./Projection.js"

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

export const conversions: Projection = {
  name: "conversions",
  eventTypes: new Set(ORDER_EVENTS),
  reads: "events",
  table: "conversions",
  keyColumn: "order_key",
  apply: async (tx: Queryable, generation, events) => {
    const relevant = events.filter((e) => isOrderStream(e.streamId))
    if (relevant.length === 0) return
    const keys = [...new Set(relevant.map((e) => orderKeyOf(e.streamId)!))]
    const rows = await tx<Array<{ order_key: string; doc: ConversionView }>>`
      select order_key, doc from conversions where generation = ${generation} and order_key = any(${keys}::text[])`
    const views = new Map(rows.map((r) => [r.order_key, r.doc]))
    for (const e of relevant) {
      const key = orderKeyOf(e.streamId)!
      views.set(key, evolveView(views.get(key), e))
    }
    const values = keys.map((key) => {
      const view = views.get(key)!
      return {
        generation,
        order_key: key,
        ...columnsOf(view),
        doc: view as unknown as string,
        first_recorded_at: view.firstRecordedAt,
        updated_at: view.updatedAt,
        last_position: view.lastPosition
      }
    })
    await tx`
      insert into conversions ${tx(values)}
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
}
