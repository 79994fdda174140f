// `s2s redispatch [--order KEY]... [--target ID] [--from ISO] [--to ISO] [--state S] [--kind K] [--force]
// [--reason TEXT] [--yes] [--json]`: a dry run unless --yes, never interactive. Same filters and report
// as POST /api/v1/redispatch; the actor recorded is cli:$USER.
import { Command, Options } from "@effect/cli"
import { DispatchKind } from "../events/dispatch.js"
import { RedispatchStates } from "../operations/request.js"
import { type Input, lazy } from "./lazy.js"

/** --yes applies; --dry-run only says out loud what is the default anyway. */
export const confirmOptions = {
  yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("apply (default: dry run)")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("only list what would happen (the default)")),
  json: Options.boolean("json").pipe(Options.withDescription("print the report as JSON"))
}

const options = {
  order: Options.text("order").pipe(
    Options.withPseudoName("KEY"),
    Options.withDescription("an order key (repeatable)"),
    Options.repeated
  ),
  target: Options.text("target").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("only this target"),
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
  state: Options.choice("state", RedispatchStates).pipe(
    Options.withDescription("only dispatches in this state (pending = planned or retrying)"),
    Options.optional
  ),
  kind: Options.choice("kind", DispatchKind.literals).pipe(
    Options.withDescription("conversion (default) or an adjustment kind"),
    Options.withDefault("conversion" as const)
  ),
  force: Options.boolean("force").pipe(
    Options.withDescription("send again even where the target already confirmed (same deduplication key)")
  ),
  reason: Options.text("reason").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("why, for the audit log"),
    Options.optional
  ),
  ...confirmOptions
}

export type RedispatchInput = Input<typeof options>

export const redispatch = Command.make(
  "redispatch",
  options,
  lazy(
    () => import("./run/redispatch.js"),
    (m) => m.redispatch
  )
).pipe(
  Command.withDescription(
    "Send conversions again from history (after a partner outage or a wrong credential); a dry run unless --yes"
  )
)
