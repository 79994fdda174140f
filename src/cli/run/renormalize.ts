// `s2s renormalize`: what the command defined in ../renormalize.ts does.
import { Effect, Either, Option } from "effect"
import { renderRenormalize } from "../../operations/format.js"
import { Renormalize } from "../../operations/renormalize/Renormalize.js"
import { renormalizeRequest } from "../../operations/request.js"
import { cliActor, printJson, usageError } from "../output.js"
import { withTerminalProgress } from "../progress.js"
import type { RenormalizeInput } from "../renormalize.js"
import { withOperations } from "../stages.js"
import { printRendered } from "./redispatch.js"

export const renormalize = (o: RenormalizeInput) =>
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
    ).pipe(withOperations)
    yield* o.json ? printJson(report) : printRendered(renderRenormalize(report))
  })
