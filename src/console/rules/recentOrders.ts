// The orders a what-if examines: placed in the last days, newest first, at most `limit`, with only
// the parts routing reads (tracking, line items), decoded. Ignored orders (test orders, ...) are
// never dispatched and are left out.
import { Schema } from "effect"
import type { Queryable } from "../../db/Db.js"
import { RecentOrder } from "./whatIf.js"

export const EXAMINED = 5_000

const decode = Schema.decodeUnknownSync(Schema.Array(RecentOrder))

export const recentOrders = async (sql: Queryable, since: Date, limit = EXAMINED) => {
  const rows = await sql`
    select order_key, placed_at, source_id, company, currency,
           doc #> '{order,order,tracking}' as tracking, doc #> '{order,order,lineItems}' as line_items
    from conversions
    where generation = (select active_generation from projections where name = 'conversions')
      and placed_at >= ${since} and status <> 'ignored' and company is not null
    order by placed_at desc, order_key desc
    limit ${limit + 1}`
  const orders = decode(rows)
  return { orders: orders.slice(0, limit), truncated: orders.length > limit }
}
