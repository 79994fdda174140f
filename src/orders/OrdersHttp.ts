// GET /api/v1/orders, /api/v1/orders/{orderKey} and /api/v1/orders/{orderKey}/events (scope audit).
// Personal data is shown in clear to admin tokens only.
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect, Either } from "effect"
import { Api } from "../http/Api.js"
import { requireScope } from "../http/Auth.js"
import { badRequest, notFound } from "../http/errors.js"
import { toOrderLog } from "./log.js"
import { orderEvents, orderView, searchOrderSummaries } from "./Orders.js"
import { parseSearch } from "./search.js"
import { toOrderView } from "./view.js"

const reader = Effect.map(requireScope("audit"), (principal) => ({ reveal: principal.scope === "admin" }))

export const OrdersHttpLive = HttpApiBuilder.group(Api, "orders", (handlers) =>
  handlers
    .handle("search", () =>
      Effect.gen(function* () {
        yield* reader
        const params = yield* HttpServerRequest.ParsedSearchParams
        const filters = parseSearch(params)
        if (Either.isLeft(filters)) return yield* Effect.fail(badRequest(filters.left))
        return yield* searchOrderSummaries(filters.right)
      }).pipe(Effect.catchTag("DbError", Effect.die))
    )
    .handle("view", ({ path }) =>
      Effect.gen(function* () {
        const options = yield* reader
        return toOrderView(yield* orderView(path.orderKey), options)
      }).pipe(Effect.catchTags({ DbError: Effect.die, OrderNotFound: (e) => Effect.fail(notFound(e.message)) }))
    )
    .handle("events", ({ path }) =>
      Effect.gen(function* () {
        const options = yield* reader
        return toOrderLog(path.orderKey, yield* orderEvents(path.orderKey), options)
      }).pipe(Effect.catchTags({ DbError: Effect.die, OrderNotFound: (e) => Effect.fail(notFound(e.message)) }))
    )
)
