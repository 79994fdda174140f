// `s2s replan`: what the command defined in ../replan.ts does.
import { Effect, Either, Option } from "effect"
import { renderReplan } from "../../operations/format.js"
import { Replan } from "../../operations/replan/Replan.js"
import { replanRequest } from "../../operations/request.js"
import { cliActor, printJson, usageError } from "../output.js"
import { withTerminalProgress } from "../progress.js"
import type { ReplanInput } from "../replan.js"
import { withOperations } from "../stages.js"
import { printRendered } from "./redispatch.js"

export const replan = (o: ReplanInput) =>
  Effect.gen(function* () {
    if (o.yes && o.dryRun) return yield* usageError("--yes and --dry-run exclude each other")
    const request = replanRequest({
      orderKeys: o.order,
      company: Option.getOrUndefined(o.company),
      partner: Option.getOrUndefined(o.partner),
      sourceId: Option.getOrUndefined(o.source),
      target: Option.getOrUndefined(o.target),
      from: Option.getOrUndefined(o.from),
      to: Option.getOrUndefined(o.to),
      reason: Option.getOrUndefined(o.reason),
      dryRun: !o.yes
    })
    if (Either.isLeft(request)) return yield* usageError(request.left.message)
    const report = yield* withTerminalProgress("replan", "orders", (onProgress) =>
      Effect.flatMap(Replan, (r) => r.run(request.right, { actor: cliActor(), origin: "cli:replan", onProgress }))
    ).pipe(withOperations)
    yield* o.json ? printJson(report) : printRendered(renderReplan(report))
  })
