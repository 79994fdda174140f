// The console API's authentication: the session cookie (HttpOnly, SameSite=Strict, Path=/console,
// Secure behind an https S2S_PUBLIC_URL) resolves to the signed-in token's principal (401 when it is
// missing, expired, logged out or its token revoked). Every request that changes something must also
// carry the session's CSRF token in X-CSRF-Token and, when the browser names one, come from this
// origin (403 csrf_rejected otherwise); SameSite=Strict already keeps the cookie off cross-site
// requests, the token covers browsers and proxies that do not honour it.
import { HttpApiMiddleware, HttpApiSecurity, HttpServerRequest } from "@effect/platform"
import { Context, Effect, Layer, Redacted, Schema } from "effect"
import { type Forbidden, forbidden, Unauthorized, unauthorized } from "../../api/errors.js"
import { allows, type Scope } from "../../tokens/Tokens.js"
import { CsrfRejected, csrfRejected } from "../api/errors.js"
import { ConsoleConfig } from "../config.js"
import { ConsoleKey } from "../links/ConsoleKey.js"
import { checkCsrf } from "../links/signedLink.js"
import { type ConsoleUser, Sessions } from "./Sessions.js"

export const SESSION_COOKIE = "s2s_console"
export const CSRF_HEADER = "x-csrf-token"

export const SessionCookie = HttpApiSecurity.apiKey({ in: "cookie", key: SESSION_COOKIE })

export class CurrentUser extends Context.Tag("app/console/CurrentUser")<CurrentUser, ConsoleUser>() {}

export class ConsoleAuth extends HttpApiMiddleware.Tag<ConsoleAuth>()("app/console/ConsoleAuth", {
  failure: Schema.Union(Unauthorized, CsrfRejected),
  provides: CurrentUser,
  security: { session: SessionCookie }
}) {}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

/**
 * A browser's Origin, when it sends one, names this host (as the request or a proxy in front names it:
 * Host, X-Forwarded-Host) or the service's public URL.
 */
export const sameOrigin = (request: HttpServerRequest.HttpServerRequest, publicUrl: string | undefined): boolean => {
  const origin = request.headers.origin
  if (origin === undefined || origin === "") return true
  try {
    const host = new URL(origin).host
    const hosts = [request.headers.host, request.headers["x-forwarded-host"], publicUrl && new URL(publicUrl).host]
    return hosts.includes(host)
  } catch {
    return false
  }
}

export const ConsoleAuthLive = Layer.effect(
  ConsoleAuth,
  Effect.gen(function* () {
    const sessions = yield* Sessions
    const keys = yield* ConsoleKey
    const { publicUrl } = yield* ConsoleConfig
    return ConsoleAuth.of({
      session: (cookie) =>
        Effect.gen(function* () {
          const user = yield* sessions.resolve(Redacted.value(cookie)).pipe(Effect.orDie)
          if (user === undefined)
            return yield* Effect.fail(unauthorized("log in to the console: the session is missing, expired or ended"))
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!SAFE_METHODS.has(request.method)) {
            if (!sameOrigin(request, publicUrl))
              return yield* Effect.fail(csrfRejected("the request comes from another origin"))
            if (!checkCsrf(yield* keys.key, user.sessionId, request.headers[CSRF_HEADER]))
              return yield* Effect.fail(
                csrfRejected(`the ${CSRF_HEADER} header is missing or does not match the session; reload the page`)
              )
          }
          return user
        })
    })
  })
)

/** The signed-in user, if the token's scope covers `needed` (admin > operate > audit). */
export const requireScope = (needed: Exclude<Scope, "ingest">): Effect.Effect<ConsoleUser, Forbidden, CurrentUser> =>
  Effect.flatMap(CurrentUser, (user) =>
    allows(user.principal, needed)
      ? Effect.succeed(user)
      : Effect.fail(
          forbidden(`this needs a token with scope ${needed} or higher (you are signed in as ${user.principal.scope})`)
        )
  )
