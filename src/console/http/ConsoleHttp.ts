// The console API's session group: each page's data, and the operator actions behind the session's
// scope (audit reads, operate re-dispatches and re-normalizes, admin reveals personal data). Actions
// go through the same services as /api/v1 (dry run first), recorded with the token as actor and
// `console:*` as their origin.
import { HttpApiBuilder, HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either } from "effect"
import { badRequest, notFound } from "../../api/errors.js"
import { apiOf } from "../../api/group.js"
import { ConfigState } from "../../config/ConfigState.js"
import type { ConfigValidator } from "../../config/load.js"
import { Db, orDieOnDbError } from "../../db/Db.js"
import { Redispatch } from "../../operations/redispatch/Redispatch.js"
import { Renormalize } from "../../operations/renormalize/Renormalize.js"
import { redispatchRequest, renormalizeRequest } from "../../operations/request.js"
import { searchOrderSummaries } from "../../orders/Orders.js"
import { parseSearch } from "../../orders/search.js"
import { Projections } from "../../projections/Projector.js"
import { toExplanationJson, toRulesList } from "../../rules/rulesJson.js"
import { explainOrder, listRules } from "../../rules/rulesView.js"
import { ConsoleGroup } from "../api/ConsoleApi.js"
import { attentionPage } from "../attention/page.js"
import { coveragePage } from "../coverage/page.js"
import { ConsoleKey } from "../links/ConsoleKey.js"
import { orderDetail, revealOrder } from "../orders/detail.js"
import { filterOptions } from "../orders/filters.js"
import { queueHealth } from "../queue/health.js"
import { whatIfPage } from "../rules/page.js"
import { CurrentUser, requireScope, SESSION_COOKIE } from "../session/ConsoleAuth.js"
import { actorOf, Sessions } from "../session/Sessions.js"
import { withoutJit } from "../sql.js"
import { sessionInfo } from "./PublicHttp.js"

const orderKeyOf = (orderKey: string | undefined) =>
  orderKey === undefined || orderKey.trim() === ""
    ? Effect.fail(badRequest("orderKey is required, e.g. ?orderKey=shop-de:1001"))
    : Effect.succeed(orderKey.trim())

const checked = <A>(result: Either.Either<A, { readonly message: string }>) =>
  Either.isLeft(result) ? Effect.fail(badRequest(result.left.message)) : Effect.succeed(result.right)

const FILTERS_TTL_MS = 30_000

export const ConsoleHttpLive = (validators: ReadonlyArray<ConfigValidator>) =>
  HttpApiBuilder.group(apiOf(ConsoleGroup), "console", (handlers) =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const keys = yield* ConsoleKey
      const db = yield* Db
      const config = yield* ConfigState
      const redispatch = yield* Redispatch
      const renormalize = yield* Renormalize
      const projections = (yield* Projections).map((p) => p.name)
      let filters: { at: number; value: Effect.Effect.Success<ReturnType<typeof loadFilters>> } | undefined
      const loadFilters = () =>
        Effect.gen(function* () {
          const snapshot = yield* config.current
          return yield* withoutJit(db, "Console.filters", (tx) => filterOptions(tx, snapshot))
        })
      return handlers
        .handle("session", () =>
          Effect.flatMap(CurrentUser, (user) => Effect.map(keys.key, (k) => sessionInfo(k, user)))
        )
        .handle("logout", () =>
          Effect.gen(function* () {
            yield* sessions.logout(yield* CurrentUser).pipe(Effect.orDie)
            yield* HttpApp.appendPreResponseHandler((_req, response) =>
              Effect.orDie(
                HttpServerResponse.setCookie(response, SESSION_COOKIE, "", {
                  path: "/console",
                  httpOnly: true,
                  sameSite: "strict",
                  expires: new Date(0)
                })
              )
            )
            return { ok: true as const }
          })
        )
        .handle("filters", () =>
          Effect.gen(function* () {
            if (filters !== undefined && Date.now() - filters.at < FILTERS_TTL_MS) return filters.value
            const value = yield* loadFilters().pipe(Effect.orDie)
            filters = { at: Date.now(), value }
            return value
          })
        )
        .handle("orders", () =>
          Effect.gen(function* () {
            const params = yield* HttpServerRequest.ParsedSearchParams
            const parsed = parseSearch(params)
            if (Either.isLeft(parsed)) return yield* Effect.fail(badRequest(parsed.left))
            return yield* searchOrderSummaries(parsed.right).pipe(Effect.orDie)
          })
        )
        .handle("order", ({ urlParams }) =>
          Effect.flatMap(orderKeyOf(urlParams.orderKey), (orderKey) => orderDetail(orderKey, false)).pipe(
            Effect.catchTags({ OrderNotFound: (e) => Effect.fail(notFound(e.message)) }),
            orDieOnDbError
          )
        )
        .handle("reveal", ({ payload }) =>
          Effect.gen(function* () {
            const user = yield* requireScope("admin")
            const detail = yield* revealOrder(user, payload.orderKey, payload.reason.trim())
            yield* Effect.logInfo(`personal data of ${payload.orderKey} revealed to ${actorOf(user)} in the console`)
            return detail
          }).pipe(Effect.catchTags({ OrderNotFound: (e) => Effect.fail(notFound(e.message)) }), orDieOnDbError)
        )
        .handle("attention", () => attentionPage())
        .handle("redispatch", ({ payload }) =>
          Effect.gen(function* () {
            const user = yield* requireScope("operate")
            const request = yield* checked(redispatchRequest(payload))
            return yield* redispatch.run(request, { actor: actorOf(user), origin: "console:redispatch" })
          })
        )
        .handle("renormalize", ({ payload }) =>
          Effect.gen(function* () {
            const user = yield* requireScope("operate")
            const request = yield* checked(renormalizeRequest(payload))
            return yield* renormalize.run(request, { actor: actorOf(user), origin: "console:renormalize" })
          })
        )
        .handle("rules", () => Effect.map(listRules(), toRulesList).pipe(Effect.orDie))
        .handle("explain", ({ urlParams }) =>
          Effect.flatMap(orderKeyOf(urlParams.orderKey), (orderKey) =>
            Effect.map(explainOrder(orderKey), toExplanationJson)
          ).pipe(Effect.catchTags({ OrderNotExplainable: (e) => Effect.fail(notFound(e.message)) }), orDieOnDbError)
        )
        .handle("whatIf", ({ payload }) => whatIfPage(payload, validators))
        .handle("coverage", ({ urlParams }) => coveragePage(urlParams))
        .handle("queue", () =>
          db.query("Console.queue", (sql) => queueHealth(sql, projections, new Date())).pipe(Effect.orDie)
        )
    })
  )
