// `s2s orders list [filters] [--json]`: the order search of GET /api/v1/orders from the command line,
// newest first. `--dispatch-state held` lists the orders waiting for an operator's decision,
// `dead_lettered` / `failed` those a partner never got. The same parameters and checks as the API.
import { Command, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import { CoreLive } from "../main.js"
import { searchOrderSummaries } from "../orders/Orders.js"
import { DISPATCH_STATES, MAX_LIMIT, ORDER_STATUSES, parseSearch, TRACKING_STATES } from "../orders/search.js"
import { print, printJson, table, usageError } from "./output.js"

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const options = {
  company: text("company", "brand id (exact)"),
  partner: text("partner", "partner id (exact)"),
  market: text("market", "country, ISO 3166-1 alpha-2"),
  status: text("status", `${ORDER_STATUSES.join(" | ")}; comma-separated for several`),
  dispatchState: text("dispatch-state", `${DISPATCH_STATES.join(" | ")}; comma-separated for several`),
  tracking: text("tracking", `${TRACKING_STATES.join(" | ")}; comma-separated for several`),
  from: text("from", "placed at or after (ISO 8601)"),
  to: text("to", "placed before (ISO 8601)"),
  limit: text("limit", `at most this many (1 to ${MAX_LIMIT}, default 50)`),
  cursor: text("cursor", "the next page: the cursor printed under the previous one"),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON (the API's answer)"))
}

export const list = Command.make("list", options, (o) =>
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
    const page = yield* searchOrderSummaries(filters.right).pipe(Effect.provide(CoreLive))
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
).pipe(
  Command.withDescription(
    "Search orders, newest first (--dispatch-state held: orders waiting for an operator; dead_lettered, failed: never delivered)"
  )
)
