// GET /api/v1/orders, /api/v1/orders/{orderKey} and /api/v1/orders/{orderKey}/events (scope audit).
// Personal data is shown in clear to admin tokens only.
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect, Either } from "effect"
import { requireScope } from "../api/Auth.js"
import { badRequest, notFound } from "../api/errors.js"
import { apiOf } from "../api/group.js"
import { orDieOnDbError } from "../db/Db.js"
import { toOrderLog } from "./log.js"
import { orderEvents, orderView, searchOrderSummaries } from "./Orders.js"
import { OrdersGroup } from "./OrdersApi.js"
import { parseSearch } from "./search.js"
import { toOrderView } from "./view.js"

const reader = Effect.map(requireScope("audit"), (principal) => ({ reveal: principal.scope === "admin" }))

export const OrdersHttpLive = HttpApiBuilder.group(apiOf(OrdersGroup), "orders", (handlers) =>
  handlers
    .handle("search", () =>
      Effect.gen(function* () {
        yield* reader
        const params = yield* HttpServerRequest.ParsedSearchParams
        const filters = parseSearch(params)
        if (Either.isLeft(filters)) return yield* Effect.fail(badRequest(filters.left))
        return yield* searchOrderSummaries(filters.right)
      }).pipe(orDieOnDbError)
    )
    .handle("view", ({ path }) =>
      Effect.gen(function* () {
        const options = yield* reader
        return toOrderView(yield* orderView(path.orderKey), options)
      }).pipe(Effect.catchTags({ OrderNotFound: (e) => Effect.fail(notFound(e.message)) }), orDieOnDbError)
    )
    .handle("events", ({ path }) =>
      Effect.gen(function* () {
        const options = yield* reader
        return toOrderLog(path.orderKey, yield* orderEvents(path.orderKey), options)
      }).pipe(Effect.catchTags({ OrderNotFound: (e) => Effect.fail(notFound(e.message)) }), orDieOnDbError)
    )
)
