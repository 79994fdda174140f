// `s2s orders show ORDER_KEY [--json] [--reveal]` and `s2s orders log ORDER_KEY [--json] [--reveal]`
// (and `s2s orders list`, ordersList.ts).
// The CLI reads the database as the operator, without a token: personal data is masked like for an
// audit token unless --reveal is given. An unknown order is a failure (exit 1).
import { Args, Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"
import { list } from "./ordersList.js"

const run = () => import("./run/orders.js")

const config = {
  orderKey: Args.text({ name: "ORDER_KEY" }).pipe(Args.withDescription("e.g. shop-de:1001")),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON")),
  reveal: Options.boolean("reveal").pipe(
    Options.withDescription("show personal data (e-mail, phone, names, addresses, IPs) in clear")
  )
}
export type OrderInput = Input<typeof config>

const show = Command.make(
  "show",
  config,
  lazy(run, (m) => m.show)
).pipe(Command.withDescription("Show an order's current view: status, value, identity, tracking, per-target state"))

const log = Command.make(
  "log",
  config,
  lazy(run, (m) => m.log)
).pipe(Command.withDescription("Show everything that happened to an order, oldest first (--json: the raw events)"))

export const orders = Command.make("orders").pipe(
  Command.withDescription("Inspect orders: search, current view and full log"),
  Command.withSubcommands([list, show, log])
)
