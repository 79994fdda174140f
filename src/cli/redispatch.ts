// `s2s redispatch [--order KEY]... [--target ID] [--from ISO] [--to ISO] [--state S] [--kind K] [--force]
// [--reason TEXT] [--yes] [--json]`: a dry run unless --yes, never interactive. Same filters and report
// as POST /api/v1/redispatch; the actor recorded is cli:$USER.
import { Command, Options } from "@effect/cli"
import { Effect, Either, Layer, Option } from "effect"
import { DispatchKind } from "../events/dispatch.js"
import { CoreLive, OperationsLive } from "../main.js"
import { type Rendered, renderRedispatch } from "../operations/format.js"
import { Redispatch } from "../operations/redispatch/Redispatch.js"
import { RedispatchStates, redispatchRequest } from "../operations/request.js"
import { cliActor, print, printJson, printTable, usageError } from "./output.js"
import { withTerminalProgress } from "./progress.js"

export const printRendered = (r: Rendered) =>
  Effect.gen(function* () {
    yield* print(r.headline)
    yield* printTable(r.headers, r.rows)
    for (const line of r.footer) yield* print(line)
  })

/** --yes applies; --dry-run only says out loud what is the default anyway. */
export const confirmOptions = {
  yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("apply (default: dry run)")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("only list what would happen (the default)")),
  json: Options.boolean("json").pipe(Options.withDescription("print the report as JSON"))
}

export const OperationsCliLive = OperationsLive.pipe(Layer.provideMerge(CoreLive))

const options = {
  order: Options.text("order").pipe(Options.withDescription("an order key (repeatable)"), Options.repeated),
  target: Options.text("target").pipe(Options.withDescription("only this target"), Options.optional),
  from: Options.text("from").pipe(Options.withDescription("orders placed at or after (ISO 8601)"), Options.optional),
  to: Options.text("to").pipe(Options.withDescription("orders placed before (ISO 8601)"), Options.optional),
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
  reason: Options.text("reason").pipe(Options.withDescription("why, for the audit log"), Options.optional),
  ...confirmOptions
}

export const redispatch = Command.make("redispatch", options, (o) =>
  Effect.gen(function* () {
    if (o.yes && o.dryRun) return yield* usageError("--yes and --dry-run exclude each other")
    const request = redispatchRequest({
      orderKeys: o.order,
      target: Option.getOrUndefined(o.target),
      from: Option.getOrUndefined(o.from),
      to: Option.getOrUndefined(o.to),
      state: Option.getOrUndefined(o.state),
      kind: o.kind,
      force: o.force,
      reason: Option.getOrUndefined(o.reason),
      dryRun: !o.yes
    })
    if (Either.isLeft(request)) return yield* usageError(request.left.message)
    const report = yield* withTerminalProgress("redispatch", "orders", (onProgress) =>
      Effect.flatMap(Redispatch, (r) =>
        r.run(request.right, { actor: cliActor(), origin: "cli:redispatch", onProgress })
      )
    ).pipe(Effect.provide(OperationsCliLive))
    yield* o.json ? printJson(report) : printRendered(renderRedispatch(report))
  })
).pipe(
  Command.withDescription(
    "Send conversions again from history (after a partner outage or a wrong credential); a dry run unless --yes"
  )
)
