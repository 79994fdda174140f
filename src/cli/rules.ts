// `s2s rules list [--json]` and `s2s rules explain ORDER_KEY [--json]`: the current rule set with its
// history, and why an order goes where under the current rules (next to what was recorded when it
// was planned).
import { Args, Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const run = () => import("./run/rules.js")
const json = Options.boolean("json").pipe(Options.withDescription("print JSON (the API's shape)"))

const listConfig = { json }
export type ListInput = Input<typeof listConfig>

const list = Command.make(
  "list",
  listConfig,
  lazy(run, (m) => m.list)
).pipe(Command.withDescription("List the current routing rules in position order, with their change history"))

const explainConfig = {
  orderKey: Args.text({ name: "ORDER_KEY" }).pipe(Args.withDescription("e.g. shop-de:1001")),
  json
}
export type ExplainInput = Input<typeof explainConfig>

const explain = Command.make(
  "explain",
  explainConfig,
  lazy(run, (m) => m.explain)
).pipe(Command.withDescription("Explain which targets an order goes to under the current rules, and why"))

export const rules = Command.make("rules").pipe(
  Command.withDescription("Inspect the routing rules"),
  Command.withSubcommands([list, explain])
)
