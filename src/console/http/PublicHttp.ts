// POST /console/api/login (an API token in, a session cookie out) and GET /console/api/link (an
// order's read-only, masked page through a signed, expiring link: what Slack alerts link to).
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import { forbidden, notFound, unauthorized } from "../../api/errors.js"
import { apiOf } from "../../api/group.js"
import { orDieOnDbError } from "../../db/Db.js"
import { ConsolePublicGroup } from "../api/ConsoleApi.js"
import { csrfRejected, linkRefused } from "../api/errors.js"
import { ConsoleConfig } from "../config.js"
import { ConsoleKey } from "../links/ConsoleKey.js"
import { checkOrderLink, csrfToken } from "../links/signedLink.js"
import { orderDetail } from "../orders/detail.js"
import { SessionCookie, sameOrigin } from "../session/ConsoleAuth.js"
import { type ConsoleUser, Sessions } from "../session/Sessions.js"

export const sessionInfo = (key: Uint8Array, user: ConsoleUser) => ({
  sessionId: user.sessionId,
  tokenId: user.principal.tokenId,
  scope: user.principal.scope as "audit" | "operate" | "admin",
  expiresAt: user.expiresAt.toISOString(),
  csrfToken: csrfToken(key, user.sessionId)
})

const LINK_REFUSALS = {
  malformed: "this link is incomplete: open it exactly as the alert gave it",
  bad_signature: "this link is not valid: it was changed, or signed by another installation",
  expired: "this link has expired: links in alerts are valid for a limited time; ask for the order's log"
} as const

export const ConsolePublicHttpLive = HttpApiBuilder.group(apiOf(ConsolePublicGroup), "consolePublic", (handlers) =>
  Effect.gen(function* () {
    const sessions = yield* Sessions
    const keys = yield* ConsoleKey
    const settings = yield* ConsoleConfig
    const secure = settings.publicUrl?.startsWith("https://") ?? false
    return handlers
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!sameOrigin(request, settings.publicUrl))
            return yield* Effect.fail(csrfRejected("the log-in comes from another origin"))
          const outcome = yield* sessions.login(payload.token).pipe(Effect.orDie)
          if (outcome._tag === "Refused")
            return yield* Effect.fail(
              outcome.reason === "ingest_token"
                ? forbidden(
                    "an ingest token only opens its source's webhook; log in with an audit, operate or admin token"
                  )
                : unauthorized("the token is unknown or revoked")
            )
          yield* HttpApiBuilder.securitySetCookie(SessionCookie, outcome.secret, {
            path: "/console",
            sameSite: "strict",
            httpOnly: true,
            secure,
            maxAge: `${Math.floor(settings.sessionTtlMs / 1000)} seconds`
          })
          yield* Effect.logInfo(`console log-in by token:${outcome.user.principal.tokenId}`)
          return sessionInfo(yield* keys.key, outcome.user)
        })
      )
      .handle("link", ({ urlParams }) =>
        Effect.gen(function* () {
          const check = checkOrderLink(yield* keys.key, urlParams, new Date())
          if (!check.ok) return yield* Effect.fail(linkRefused(LINK_REFUSALS[check.reason]))
          const order = yield* orderDetail(check.orderKey, false)
          return { order, expiresAt: new Date(check.expiresAt * 1000).toISOString() }
        }).pipe(Effect.catchTags({ OrderNotFound: (e) => Effect.fail(notFound(e.message)) }), orDieOnDbError)
      )
  })
)
