// GET /api/v1/rules and /api/v1/rules/explain?orderKey= (scope audit).
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { requireScope } from "../api/Auth.js"
import { badRequest, notFound } from "../api/errors.js"
import { apiOf } from "../api/group.js"
import { orDieOnDbError } from "../db/Db.js"
import { RulesGroup } from "./RulesApi.js"
import { toExplanationJson, toRulesList } from "./rulesJson.js"
import { explainOrder, listRules } from "./rulesView.js"

export const RulesHttpLive = HttpApiBuilder.group(apiOf(RulesGroup), "rules", (handlers) =>
  handlers
    .handle("list", () =>
      Effect.gen(function* () {
        yield* requireScope("audit")
        return toRulesList(yield* listRules())
      }).pipe(orDieOnDbError)
    )
    .handle("explain", ({ urlParams }) =>
      Effect.gen(function* () {
        yield* requireScope("audit")
        const orderKey = urlParams.orderKey?.trim()
        if (!orderKey)
          return yield* Effect.fail(badRequest("orderKey is required: /api/v1/rules/explain?orderKey=shop-de:1001"))
        return toExplanationJson(yield* explainOrder(orderKey))
      }).pipe(Effect.catchTags({ OrderNotExplainable: (e) => Effect.fail(notFound(e.message)) }), orDieOnDbError)
    )
)
