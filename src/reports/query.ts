// The report's input: one row per order placed in [from, to), read from the conversions read model
// (active generation) in pages, keeping only what the figures need.
import type { Queryable } from "../db/Db.js"
import type { ReportOrder } from "./figures.js"

const PAGE = 2000

interface Row {
  readonly order_key: string
  readonly company: string | null
  readonly market: string | null
  readonly partner: string | null
  readonly paid: boolean
  readonly ignored: boolean
  readonly conversions: ReadonlyArray<{ readonly targetId: string; readonly status: string }> | null
}

export const reportOrders = async (sql: Queryable, from: Date, to: Date): Promise<ReadonlyArray<ReportOrder>> => {
  const orders: Array<ReportOrder> = []
  let after = ""
  for (;;) {
    const page = await sql<Array<Row>>`
      select c.order_key, c.company, c.market, c.partner, c.paid_at is not null as paid,
             c.ignored_reason is not null as ignored,
             (select jsonb_agg(jsonb_build_object('targetId', d->>'targetId', 'status', d->>'status'))
              from jsonb_array_elements(c.doc->'dispatch') d where d->>'kind' = 'conversion') as conversions
      from conversions c
      where c.generation = (select active_generation from projections where name = 'conversions')
        and not c.test and c.placed_at >= ${from} and c.placed_at < ${to} and c.order_key > ${after}
      order by c.order_key
      limit ${PAGE}`
    for (const r of page)
      orders.push({
        company: r.company,
        market: r.market,
        partner: r.partner,
        paid: r.paid,
        eligible: r.paid && !r.ignored,
        conversions: r.conversions ?? []
      })
    if (page.length < PAGE) return orders
    after = page[page.length - 1]!.order_key
  }
}
