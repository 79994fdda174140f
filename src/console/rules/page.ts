// POST /console/api/rules/what-if: the file parsed and validated like `config apply --check` (every
// problem at once, with its line), then the recent orders routed both ways. Nothing is applied or
// recorded; the file's text is neither stored nor logged.
import { Effect, Either } from "effect"
import { badRequest } from "../../api/errors.js"
import { ConfigState } from "../../config/ConfigState.js"
import { type ConfigValidator, parseConfig } from "../../config/load.js"
import { Db } from "../../db/Db.js"
import { withoutJit } from "../sql.js"
import { recentOrders } from "./recentOrders.js"
import { whatIf } from "./whatIf.js"

export const DEFAULT_DAYS = 7

export const whatIfPage = Effect.fn("Console.whatIf")(function* (
  body: { readonly yaml: string; readonly days?: number | undefined },
  validators: ReadonlyArray<ConfigValidator>
) {
  const parsed = parseConfig(body.yaml, "s2s.yaml", validators)
  if (Either.isLeft(parsed)) return yield* Effect.fail(badRequest(parsed.left.problems.join("\n")))
  const current = yield* (yield* ConfigState).refresh.pipe(Effect.orDie)
  const since = new Date(Date.now() - (body.days ?? DEFAULT_DAYS) * 86_400_000)
  const { orders, truncated } = yield* withoutJit(yield* Db, "Console.whatIf", (tx) => recentOrders(tx, since)).pipe(
    Effect.orDie
  )
  return whatIf({ ...current, targets: [...current.targets.values()] }, parsed.right, orders, { since, truncated })
})
