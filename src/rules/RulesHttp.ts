// GET /api/v1/rules and /api/v1/rules/explain?orderKey= (scope audit).
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Api } from "../http/Api.js"
import { requireScope } from "../http/Auth.js"
import { badRequest, notFound } from "../http/errors.js"
import { toExplanationJson, toRulesList } from "./rulesJson.js"
import { explainOrder, listRules } from "./rulesView.js"

export const RulesHttpLive = HttpApiBuilder.group(Api, "rules", (handlers) =>
  handlers
    .handle("list", () =>
      Effect.gen(function* () {
        yield* requireScope("audit")
        return toRulesList(yield* listRules())
      }).pipe(Effect.catchTag("DbError", Effect.die))
    )
    .handle("explain", ({ urlParams }) =>
      Effect.gen(function* () {
        yield* requireScope("audit")
        const orderKey = urlParams.orderKey?.trim()
        if (!orderKey)
          return yield* Effect.fail(badRequest("orderKey is required: /api/v1/rules/explain?orderKey=shop-de:1001"))
        return toExplanationJson(yield* explainOrder(orderKey))
      }).pipe(Effect.catchTags({ DbError: Effect.die, OrderNotExplainable: (e) => Effect.fail(notFound(e.message)) }))
    )
)
