// The orders read side's SQL: the conversions projection (active generation) for the view and the
// search (an order's full history is the event store's readOrder).
import type { Queryable } from "../db/Db.js"
import { decodeStored } from "../events/EventStore.js"
import { readStream } from "../events/store.js"
import { orderStream } from "../events/streams.js"
import { type ConversionView, evolveView } from "../projections/conversionView.js"
import type { SearchFilters } from "./search.js"

/**
 * The order's current view: the projection's row, caught up with the order-stream events the
 * projector has not applied yet (it lags by up to a poll interval). Without a row (a brand-new order,
 * or a database whose projector never ran) the whole stream is folded the same way. Undefined when
 * the order stream does not exist.
 */
export const loadView = async (sql: Queryable, orderKey: string): Promise<ConversionView | undefined> => {
  const rows = await sql<Array<{ doc: ConversionView }>>`
    select c.doc from conversions c
    join projections p on p.name = 'conversions' and c.generation = p.active_generation
    where c.order_key = ${orderKey}`
  let view = rows[0]?.doc
  for (const stored of await readStream(sql, orderStream(orderKey), (view?.version ?? 0) + 1))
    view = evolveView(view, decodeStored(stored))
  return view
}

export interface SummaryRow {
  readonly order_key: string
  readonly source_id: string
  readonly company: string | null
  readonly market: string | null
  readonly partner: string | null
  readonly products: ReadonlyArray<string> | null
  readonly status: string
  readonly ignored_reason: string | null
  readonly value_minor: string | null
  readonly currency: string | null
  readonly placed_at: Date | null
  /** placed_at at the database's microsecond precision, for the cursor. */
  readonly placed_key: string | null
  readonly paid_at: Date | null
  readonly test: boolean
  readonly has_click_id: boolean
  readonly missing_tracking: boolean
  readonly utm_campaign: string | null
  readonly dispatch_state: string
  readonly updated_at: Date
}

// Keys starting with a prefix, as a range the primary key answers (order_key is collate "C": byte
// order, and U+10FFFF sorts after every character that can follow the prefix).
const prefixRange = (sql: Queryable, prefix: string) =>
  sql`and order_key >= ${prefix} and order_key < ${`${prefix}\u{10FFFF}`}`

/**
 * Newest first, in the order of the search indexes (placed_at desc, which puts orders without details
 * first), then order key desc; keyset pagination on that pair.
 */
export const searchOrders = (sql: Queryable, f: SearchFilters): Promise<ReadonlyArray<SummaryRow>> => {
  const after = f.after
  const keyset =
    after === undefined
      ? sql``
      : after.placedAt === null
        ? sql`and ((placed_at is null and order_key < ${after.orderKey}) or placed_at is not null)`
        : sql`and (placed_at < ${after.placedAt}::timestamptz
                   or (placed_at = ${after.placedAt}::timestamptz and order_key < ${after.orderKey}))`
  const list = (values: ReadonlyArray<string>) => values as Array<string>
  return sql<Array<SummaryRow>>`
    select order_key, source_id, company, market, partner, doc->'order'->'order'->'products' as products, status,
           ignored_reason, value_minor::text, currency, placed_at,
           to_char(placed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as placed_key,
           paid_at, test, has_click_id, missing_tracking, utm_campaign, dispatch_state, updated_at
    from conversions
    where generation = (select active_generation from projections where name = 'conversions')
      ${f.orderKey === undefined ? sql`` : prefixRange(sql, f.orderKey)}
      ${f.emailSha256 === undefined ? sql`` : sql`and s2s_email_key(doc) = ${f.emailSha256}`}
      ${f.clickId === undefined ? sql`` : sql`and s2s_click_ids(doc) @> jsonb_build_array(${f.clickId}::text)`}
      ${f.target === undefined ? sql`` : sql`and (doc -> 'dispatch') @> ${sql.json([{ targetId: f.target }])}`}
      ${f.company === undefined ? sql`` : sql`and company = ${f.company}`}
      ${f.partner === undefined ? sql`` : sql`and partner = ${f.partner}`}
      ${f.market === undefined ? sql`` : sql`and market = ${f.market}`}
      ${f.statuses === undefined ? sql`` : sql`and status = any(${list(f.statuses)}::text[])`}
      ${f.dispatchStates === undefined ? sql`` : sql`and dispatch_state = any(${list(f.dispatchStates)}::text[])`}
      ${f.missingTracking === undefined ? sql`` : f.missingTracking ? sql`and missing_tracking` : sql`and not missing_tracking`}
      ${f.trackingStates === undefined ? sql`` : sql`and tracking_state = any(${list(f.trackingStates)}::text[])`}
      ${f.from === undefined ? sql`` : sql`and placed_at >= ${f.from}::timestamptz`}
      ${f.to === undefined ? sql`` : sql`and placed_at < ${f.to}::timestamptz`}
      ${keyset}
    order by placed_at desc, order_key desc
    limit ${f.limit}`
}
