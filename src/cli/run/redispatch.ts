// `s2s redispatch`: what the command defined in ../redispatch.ts does; the report printer and the
// operations layer are shared with the other operator actions (renormalize, replan).
import { Effect, Either, Option } from "effect"
import { type Rendered, renderRedispatch } from "../../operations/format.js"
import { Redispatch } from "../../operations/redispatch/Redispatch.js"
import { redispatchRequest } from "../../operations/request.js"
import { cliActor, print, printJson, printTable, usageError } from "../output.js"
import { withTerminalProgress } from "../progress.js"
import type { RedispatchInput } from "../redispatch.js"
import { withOperations } from "../stages.js"

export const printRendered = (r: Rendered) =>
  Effect.gen(function* () {
    yield* print(r.headline)
    yield* printTable(r.headers, r.rows)
    for (const line of r.footer) yield* print(line)
  })

export const redispatch = (o: RedispatchInput) =>
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
    ).pipe(withOperations)
    yield* o.json ? printJson(report) : printRendered(renderRedispatch(report))
  })
