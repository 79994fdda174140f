// `s2s renormalize [--webhook ID]... [--source ID] [--from ISO] [--to ISO] [--state failed|all]
// [--reason TEXT] [--yes] [--json]`: re-runs the current parsers over recorded webhooks; a dry run
// unless --yes. Same filters and report as POST /api/v1/renormalize; the actor is cli:$USER.
import { Command, Options } from "@effect/cli"
import { RenormalizeStates } from "../operations/request.js"
import { type Input, lazy } from "./lazy.js"
import { confirmOptions } from "./redispatch.js"

const options = {
  webhook: Options.text("webhook").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("a webhook id (repeatable)"),
    Options.repeated
  ),
  source: Options.text("source").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("only this source's webhooks"),
    Options.optional
  ),
  from: Options.text("from").pipe(
    Options.withPseudoName("DATE"),
    Options.withDescription("received at or after (ISO 8601)"),
    Options.optional
  ),
  to: Options.text("to").pipe(
    Options.withPseudoName("DATE"),
    Options.withDescription("received before (ISO 8601)"),
    Options.optional
  ),
  state: Options.choice("state", RenormalizeStates).pipe(
    Options.withDescription("failed (default): only webhooks whose normalization failed; all: every one selected"),
    Options.optional
  ),
  reason: Options.text("reason").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("why, for the audit log"),
    Options.optional
  ),
  ...confirmOptions
}

export type RenormalizeInput = Input<typeof options>

export const renormalize = Command.make(
  "renormalize",
  options,
  lazy(
    () => import("./run/renormalize.js"),
    (m) => m.renormalize
  )
).pipe(
  Command.withDescription(
    "Re-run normalization with the current parsers and configuration (after a fix); a dry run unless --yes"
  )
)
