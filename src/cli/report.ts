// `s2s report --from DATE [--to DATE] [--by company,market,partner,target] [--json|--csv]`: outcome
// figures of the orders placed in a period (operations/report/figures.ts says what each counts).
import { Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const config = {
  from: Options.text("from").pipe(
    Options.withPseudoName("DATE"),
    Options.withDescription("orders placed at or after (ISO 8601; a date is midnight UTC)")
  ),
  to: Options.text("to").pipe(
    Options.withPseudoName("DATE"),
    Options.withDescription("orders placed before (default: now)"),
    Options.optional
  ),
  by: Options.text("by").pipe(
    Options.withPseudoName("DIMENSIONS"),
    Options.withDescription("group by any of company, market, partner, target, comma-separated"),
    Options.optional
  ),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON")),
  csv: Options.boolean("csv").pipe(Options.withDescription("print CSV (one row per group, no total)"))
}
export type ReportInput = Input<typeof config>

export const report = Command.make(
  "report",
  config,
  lazy(
    () => import("./run/report.js"),
    (m) => m.report
  )
).pipe(
  Command.withDescription(
    "Outcome report of the orders placed in a period: orders, paid, eligible, delivered, acknowledged, failed, held and the delivery share"
  )
)
