// `s2s renormalize [--webhook ID]... [--source ID] [--from ISO] [--to ISO] [--state failed|all]
// [--reason TEXT] [--yes] [--json]`: re-runs the current parsers over recorded webhooks; a dry run
// unless --yes. Same filters and report as POST /api/v1/renormalize; the actor is cli:$USER.
import { Command, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import { renderRenormalize } from "../operations/format.js"
import { Renormalize } from "../operations/renormalize/Renormalize.js"
import { RenormalizeStates, renormalizeRequest } from "../operations/request.js"
import { cliActor, printJson, usageError } from "./output.js"
import { withTerminalProgress } from "./progress.js"
import { confirmOptions, OperationsCliLive, printRendered } from "./redispatch.js"

const options = {
  webhook: Options.text("webhook").pipe(Options.withDescription("a webhook id (repeatable)"), Options.repeated),
  source: Options.text("source").pipe(Options.withDescription("only this source's webhooks"), Options.optional),
  from: Options.text("from").pipe(Options.withDescription("received at or after (ISO 8601)"), Options.optional),
  to: Options.text("to").pipe(Options.withDescription("received before (ISO 8601)"), Options.optional),
  state: Options.choice("state", RenormalizeStates).pipe(
    Options.withDescription("failed (default): only webhooks whose normalization failed; all: every one selected"),
    Options.optional
  ),
  reason: Options.text("reason").pipe(Options.withDescription("why, for the audit log"), Options.optional),
  ...confirmOptions
}

export const renormalize = Command.make("renormalize", options, (o) =>
  Effect.gen(function* () {
    if (o.yes && o.dryRun) return yield* usageError("--yes and --dry-run exclude each other")
    const request = renormalizeRequest({
      webhookIds: o.webhook,
      sourceId: Option.getOrUndefined(o.source),
      from: Option.getOrUndefined(o.from),
      to: Option.getOrUndefined(o.to),
      state: Option.getOrUndefined(o.state),
      reason: Option.getOrUndefined(o.reason),
      dryRun: !o.yes
    })
    if (Either.isLeft(request)) return yield* usageError(request.left.message)
    const report = yield* withTerminalProgress("renormalize", "webhooks", (onProgress) =>
      Effect.flatMap(Renormalize, (r) =>
        r.run(request.right, { actor: cliActor(), origin: "cli:renormalize", onProgress })
      )
    ).pipe(Effect.provide(OperationsCliLive))
    yield* o.json ? printJson(report) : printRendered(renderRenormalize(report))
  })
).pipe(
  Command.withDescription(
    "Re-run normalization with the current parsers and configuration (after a fix); a dry run unless --yes"
  )
)
