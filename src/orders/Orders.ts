// The orders read side: an order's current view, the search over the conversions projection, and an
// order's full log. Consumes the conversions projection and the event log (read only; appends
// nothing). Fails with OrderNotFound for a key no event names; database failures stay DbError for the
// edge to turn into a defect (a 500, or exit 1 on the CLI).
import { Data, Effect } from "effect"
import { Db } from "../db/Db.js"
import { decodeStored } from "../events/EventStore.js"
import { readOrder } from "../events/reads.js"
import { loadView, searchOrders } from "./queries.js"
import type { SearchFilters } from "./search.js"
import { toPage } from "./summary.js"

export class OrderNotFound extends Data.TaggedError("OrderNotFound")<{ readonly orderKey: string }> {
  override get message() {
    return `no order ${this.orderKey}: no event names it (order keys look like shop-de:1001)`
  }
}

export const orderView = Effect.fn("Orders.view")(function* (orderKey: string) {
  const db = yield* Db
  const view = yield* db.query("Orders.view", (sql) => loadView(sql, orderKey))
  if (view === undefined) return yield* Effect.fail(new OrderNotFound({ orderKey }))
  return view
})

export const searchOrderSummaries = Effect.fn("Orders.search")(function* (filters: SearchFilters) {
  const db = yield* Db
  const rows = yield* db.query("Orders.search", (sql) => searchOrders(sql, { ...filters, limit: filters.limit + 1 }))
  return toPage(rows, filters.limit)
})

/** Every event about the order, decoded, oldest first. */
export const orderEvents = Effect.fn("Orders.log")(function* (orderKey: string) {
  const db = yield* Db
  const stored = yield* db.query("Orders.log", (sql) => readOrder(sql, orderKey))
  if (stored.length === 0) return yield* Effect.fail(new OrderNotFound({ orderKey }))
  return stored.map(decodeStored)
})
