// `s2s orders list [filters] [--json]`: the order search of GET /api/v1/orders from the command line,
// newest first. `--dispatch-state held` lists the orders waiting for an operator's decision,
// `dead_lettered` / `failed` those a partner never got. The same parameters and checks as the API.
import { Command, Options } from "@effect/cli"
import { DISPATCH_STATES, MAX_LIMIT, ORDER_STATUSES, TRACKING_STATES } from "../orders/search.js"
import { type Input, lazy } from "./lazy.js"

const text = (name: string, value: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(value), Options.withDescription(description), Options.optional)

const options = {
  company: text("company", "ID", "brand id (exact)"),
  partner: text("partner", "ID", "partner id (exact)"),
  market: text("market", "CC", "country, ISO 3166-1 alpha-2"),
  status: text("status", "STATUS", `${ORDER_STATUSES.join(" | ")}; comma-separated for several`),
  dispatchState: text("dispatch-state", "STATE", `${DISPATCH_STATES.join(" | ")}; comma-separated for several`),
  tracking: text("tracking", "STATE", `${TRACKING_STATES.join(" | ")}; comma-separated for several`),
  from: text("from", "DATE", "placed at or after (ISO 8601)"),
  to: text("to", "DATE", "placed before (ISO 8601)"),
  limit: text("limit", "N", `at most this many (1 to ${MAX_LIMIT}, default 50)`),
  cursor: text("cursor", "CURSOR", "the next page: the cursor printed under the previous one"),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON (the API's answer)"))
}
export type OrdersListInput = Input<typeof options>

export const list = Command.make(
  "list",
  options,
  lazy(
    () => import("./run/ordersList.js"),
    (m) => m.list
  )
).pipe(
  Command.withDescription(
    "Search orders, newest first (--dispatch-state held: orders waiting for an operator; dead_lettered, failed: never delivered)"
  )
)
