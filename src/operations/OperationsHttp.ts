// POST /api/v1/redispatch, /api/v1/renormalize and /api/v1/replan (scope operate). Consumes a JSON body (decoded
// here, unknown fields refused: a misspelt filter must not widen a selection); answers with the
// report. 400 for a malformed body or an unbounded selection, 403 below scope operate. The actor
// recorded is the token (`token:<id>`).
import { HttpApiBuilder, type HttpServerRequest } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import { actorOf, requireScope } from "../api/Auth.js"
import { badRequest } from "../api/errors.js"
import { apiOf } from "../api/group.js"
import { parseJson } from "../lib/json.js"
import { OperationsGroup } from "./OperationsApi.js"
import { Redispatch } from "./redispatch/Redispatch.js"
import { Renormalize } from "./renormalize/Renormalize.js"
import { Replan } from "./replan/Replan.js"
import { type InvalidRequest, redispatchRequest, renormalizeRequest, replanRequest } from "./request.js"
import { RedispatchBody, RenormalizeBody, ReplanBody } from "./schemas.js"

const decodeBody = <A, I>(request: HttpServerRequest.HttpServerRequest, schema: Schema.Schema<A, I>) =>
  Effect.gen(function* () {
    const text = yield* request.text.pipe(Effect.mapError(() => badRequest("the request body could not be read")))
    const json = text.trim() === "" ? { ok: true as const, value: {} } : parseJson(text)
    if (!json.ok) return yield* Effect.fail(badRequest(`the body is not valid JSON: ${json.error}`))
    const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(json.value)
    if (Either.isLeft(decoded))
      return yield* Effect.fail(badRequest(ParseResult.TreeFormatter.formatErrorSync(decoded.left)))
    return decoded.right
  })

const checked = <A>(result: Either.Either<A, InvalidRequest>) =>
  Either.isLeft(result) ? Effect.fail(badRequest(result.left.message)) : Effect.succeed(result.right)

export const OperationsHttpLive = HttpApiBuilder.group(apiOf(OperationsGroup), "operations", (handlers) =>
  Effect.gen(function* () {
    const redispatch = yield* Redispatch
    const renormalize = yield* Renormalize
    const replan = yield* Replan
    return handlers
      .handleRaw("redispatch", ({ request }) =>
        Effect.gen(function* () {
          const principal = yield* requireScope("operate")
          const body = yield* decodeBody(request, RedispatchBody)
          const parsed = yield* checked(redispatchRequest(body))
          return yield* redispatch.run(parsed, { actor: actorOf(principal), origin: "api:redispatch" })
        })
      )
      .handleRaw("renormalize", ({ request }) =>
        Effect.gen(function* () {
          const principal = yield* requireScope("operate")
          const body = yield* decodeBody(request, RenormalizeBody)
          const parsed = yield* checked(renormalizeRequest(body))
          return yield* renormalize.run(parsed, { actor: actorOf(principal), origin: "api:renormalize" })
        })
      )
      .handleRaw("replan", ({ request }) =>
        Effect.gen(function* () {
          const principal = yield* requireScope("operate")
          const body = yield* decodeBody(request, ReplanBody)
          const parsed = yield* checked(replanRequest(body))
          return yield* replan.run(parsed, { actor: actorOf(principal), origin: "api:replan" })
        })
      )
  })
)
