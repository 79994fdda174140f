// `s2s orders list`: what the command defined in ../ordersList.ts does.
import { Effect, Either, Option } from "effect"
import { searchOrderSummaries } from "../../orders/Orders.js"
import { parseSearch } from "../../orders/search.js"
import type { OrdersListInput } from "../ordersList.js"
import { print, printJson, table, usageError } from "../output.js"
import { withCore } from "../stages.js"

export const list = (o: OrdersListInput) =>
  Effect.gen(function* () {
    const params: Record<string, string | undefined> = {
      company: Option.getOrUndefined(o.company),
      partner: Option.getOrUndefined(o.partner),
      market: Option.getOrUndefined(o.market),
      status: Option.getOrUndefined(o.status),
      dispatchState: Option.getOrUndefined(o.dispatchState),
      tracking: Option.getOrUndefined(o.tracking),
      from: Option.getOrUndefined(o.from),
      to: Option.getOrUndefined(o.to),
      limit: Option.getOrUndefined(o.limit),
      cursor: Option.getOrUndefined(o.cursor)
    }
    const filters = parseSearch(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)))
    if (Either.isLeft(filters)) return yield* usageError(filters.left.replace("dispatchState", "--dispatch-state"))
    const page = yield* searchOrderSummaries(filters.right).pipe(withCore)
    if (o.json) return yield* printJson(page)
    if (page.orders.length === 0) return yield* print("no orders match")
    yield* print(
      table(
        ["ORDER", "STATUS", "VALUE", "COMPANY", "PARTNER", "DISPATCH", "PLACED"],
        page.orders.map((r) => [
          r.orderKey,
          r.status,
          r.value === null ? "-" : `${r.value.amount} ${r.value.currency}`,
          r.company ?? "-",
          r.partner ?? "-",
          r.dispatchState,
          r.placedAt ?? "-"
        ])
      )
    )
    if (page.nextCursor !== null) yield* print(`more: --cursor ${page.nextCursor}`)
  })
