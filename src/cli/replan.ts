// `s2s replan [--order KEY]... [--company C] [--partner P] [--source ID] [--target ID] [--from DATE]
// [--to DATE] [--reason TEXT] [--yes] [--json]`: route already-normalized orders again with the current
// configuration (after a rule, target or partner fix); a dry run unless --yes. Same filters and report
// as POST /api/v1/replan.
import { Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"
import { confirmOptions } from "./redispatch.js"

const options = {
  order: Options.text("order").pipe(
    Options.withPseudoName("KEY"),
    Options.withDescription("an order key (repeatable)"),
    Options.repeated
  ),
  company: Options.text("company").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("only this company's orders"),
    Options.optional
  ),
  partner: Options.text("partner").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("only orders of this partner"),
    Options.optional
  ),
  source: Options.text("source").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("only orders of this source"),
    Options.optional
  ),
  target: Options.text("target").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("only plan this target"),
    Options.optional
  ),
  from: Options.text("from").pipe(
    Options.withPseudoName("DATE"),
    Options.withDescription("orders placed at or after (ISO 8601)"),
    Options.optional
  ),
  to: Options.text("to").pipe(
    Options.withPseudoName("DATE"),
    Options.withDescription("orders placed before (ISO 8601)"),
    Options.optional
  ),
  reason: Options.text("reason").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("why, for the audit log"),
    Options.optional
  ),
  ...confirmOptions
}
export type ReplanInput = Input<typeof options>

export const replan = Command.make(
  "replan",
  options,
  lazy(
    () => import("./run/replan.js"),
    (m) => m.replan
  )
).pipe(
  Command.withDescription(
    "Route paid orders again with the current rules, targets and partners (after a configuration fix): plans only " +
      "(order, target) conversions never planned; a dry run unless --yes"
  )
)
