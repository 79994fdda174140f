// Bearer-token authentication for the admin API. The middleware resolves the token to a Principal
// (401 when missing, unknown or revoked); each handler then states the scope it needs (403
// insufficient_scope when the token's scope is lower). A valid ingest token is refused here with 403
// too: it authenticates, it only opens its own source's webhook and nothing under /api/v1.
import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Context, Effect, Layer, Redacted, Schema } from "effect"
import { allows, type Principal, type Scope, Tokens } from "../tokens/Tokens.js"
import { Forbidden, forbidden, Unauthorized, unauthorized } from "./errors.js"

export class CurrentPrincipal extends Context.Tag("app/http/CurrentPrincipal")<CurrentPrincipal, Principal>() {}

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("app/http/Authentication", {
  failure: Schema.Union(Unauthorized, Forbidden),
  provides: CurrentPrincipal,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const tokens = yield* Tokens
    return Authentication.of({
      bearer: (token) =>
        Effect.gen(function* () {
          const value = Redacted.value(token)
          if (value === "") return yield* Effect.fail(unauthorized())
          const principal = yield* tokens.verify(value).pipe(Effect.orDie)
          if (principal === undefined) return yield* Effect.fail(unauthorized("the bearer token is unknown or revoked"))
          if (principal.scope === "ingest")
            return yield* Effect.fail(
              forbidden("an ingest token only opens its source's webhook; the admin API needs scope audit or higher")
            )
          return principal
        })
    })
  })
)

/** The current principal, if its scope covers `needed` (admin > operate > audit). */
export const requireScope = (needed: Exclude<Scope, "ingest">) =>
  Effect.flatMap(CurrentPrincipal, (principal) =>
    allows(principal, needed)
      ? Effect.succeed(principal)
      : Effect.fail(forbidden(`this needs a token with scope ${needed} or higher (yours: ${principal.scope})`))
  )

export const actorOf = (principal: Principal) => `token:${principal.tokenId}`
