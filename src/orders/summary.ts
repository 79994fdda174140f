// A search result row: the projection's summary columns as JSON, and the page around them.
import { Schema } from "effect"
import { amountText } from "../lib/money.js"
import type { SummaryRow } from "./queries.js"
import { encodeCursor } from "./search.js"
import { DispatchStateSummary, Value, ViewStatus } from "./view.js"

export const OrderSummary = Schema.Struct({
  orderKey: Schema.String,
  sourceId: Schema.String,
  company: Schema.NullOr(Schema.String),
  market: Schema.NullOr(Schema.String),
  partner: Schema.NullOr(Schema.String),
  products: Schema.Array(Schema.String),
  status: ViewStatus,
  ignoredReason: Schema.NullOr(Schema.String),
  value: Schema.NullOr(Value),
  placedAt: Schema.NullOr(Schema.String),
  paidAt: Schema.NullOr(Schema.String),
  test: Schema.Boolean,
  hasClickId: Schema.Boolean,
  missingTracking: Schema.Boolean,
  utmCampaign: Schema.NullOr(Schema.String),
  dispatchState: DispatchStateSummary,
  updatedAt: Schema.String
}).annotations({ identifier: "OrderSummary" })
export type OrderSummary = typeof OrderSummary.Type

export const OrderSearchResult = Schema.Struct({
  orders: Schema.Array(OrderSummary),
  nextCursor: Schema.NullOr(Schema.String).annotations({
    description: "Pass as `cursor` for the next page; null on the last page"
  })
}).annotations({ identifier: "OrderSearchResult" })
export type OrderSearchResult = typeof OrderSearchResult.Type

const decodeStatus = Schema.decodeUnknownSync(ViewStatus)
const decodeDispatchState = Schema.decodeUnknownSync(DispatchStateSummary)

export const toSummary = (row: SummaryRow): OrderSummary => ({
  orderKey: row.order_key,
  sourceId: row.source_id,
  company: row.company,
  market: row.market,
  partner: row.partner,
  products: row.products ?? [],
  status: decodeStatus(row.status),
  ignoredReason: row.ignored_reason,
  value:
    row.value_minor === null || row.currency === null
      ? null
      : {
          amountMinor: Number(row.value_minor),
          currency: row.currency,
          amount: amountText(Number(row.value_minor), row.currency)
        },
  placedAt: row.placed_at?.toISOString() ?? null,
  paidAt: row.paid_at?.toISOString() ?? null,
  test: row.test,
  hasClickId: row.has_click_id,
  missingTracking: row.missing_tracking,
  utmCampaign: row.utm_campaign,
  dispatchState: decodeDispatchState(row.dispatch_state),
  updatedAt: row.updated_at.toISOString()
})

/** `rows` holds up to limit + 1 rows: the extra one only says that another page exists. */
export const toPage = (rows: ReadonlyArray<SummaryRow>, limit: number): OrderSearchResult => {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    orders: page.map(toSummary),
    nextCursor:
      rows.length > limit && last !== undefined
        ? encodeCursor({ placedAt: last.placed_key, orderKey: last.order_key })
        : null
  }
}
