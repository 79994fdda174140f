// Google OAuth2 access tokens for the Data Manager API, from the JSON held in the target's credentials
// variable: an authorized user (client_id, client_secret, refresh_token: refresh-token grant) or a
// service-account key (JWT bearer grant, RS256-signed here with node:crypto). Tokens are cached per
// credential + scope until a minute before they expire; a 401 from the API invalidates the entry.
import { sign } from "node:crypto"
import { Clock, Config, Effect, Either, Ref, Schema } from "effect"
import type { HttpExchange } from "../../../events/dispatch.js"
import { parseJson } from "../../../lib/json.js"
import { ChannelError } from "../../Channel.js"
import { classifyStatus, httpCall, REDACTED, retryAfterMs } from "../../http.js"
import { sha256Hex } from "../identity/normalize.js"

export const GOOGLE_CHANNEL = "google-ads"
export const DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
export const DATA_MANAGER_SCOPE = "https://www.googleapis.com/auth/datamanager"
/** Refresh this long before Google's expiry, so a token never expires between cache read and use. */
const EXPIRY_MARGIN_MS = 60_000
const TOKEN_TIMEOUT_MS = 10_000

const tokenUrl = Config.string("GOOGLE_OAUTH_TOKEN_URL").pipe(Config.withDefault(DEFAULT_TOKEN_URL))

const NonEmpty = Schema.String.pipe(Schema.minLength(1))
export const AuthorizedUser = Schema.Struct({
  type: Schema.optional(Schema.Literal("authorized_user")),
  client_id: NonEmpty,
  client_secret: NonEmpty,
  refresh_token: NonEmpty
})
export const ServiceAccountKey = Schema.Struct({
  type: Schema.Literal("service_account"),
  client_email: NonEmpty,
  private_key: NonEmpty,
  private_key_id: Schema.optional(Schema.String),
  token_uri: Schema.optional(Schema.String)
})
export const GoogleCredentials = Schema.Union(ServiceAccountKey, AuthorizedUser)
export type GoogleCredentials = typeof GoogleCredentials.Type

const TokenResponse = Schema.Struct({ access_token: NonEmpty, expires_in: Schema.optional(Schema.Number) })
const TokenError = Schema.Struct({ error: Schema.String, error_description: Schema.optional(Schema.String) })

const configurationError = (detail: string) =>
  new ChannelError({ channel: GOOGLE_CHANNEL, reason: "Configuration", retryable: false, detail, exchanges: [] })

/** Decodes the credentials JSON; the message names the variable, never its content. */
export const parseCredentials = (json: string, variable: string): Either.Either<GoogleCredentials, ChannelError> => {
  const parsed = parseJson(json)
  if (!parsed.ok) return Either.left(configurationError(`${variable} is not JSON`))
  const decoded = Schema.decodeUnknownEither(GoogleCredentials)(parsed.value)
  return Either.mapLeft(decoded, () =>
    configurationError(
      `${variable} must hold an authorized-user JSON (client_id, client_secret, refresh_token) or a service-account key`
    )
  )
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url")

/** RFC 7523 JWT bearer assertion, as Google documents for service accounts (aud = the key's token_uri). */
export const serviceAccountAssertion = (key: typeof ServiceAccountKey.Type, scope: string, nowMs: number) => {
  const iat = Math.floor(nowMs / 1000)
  const header = { alg: "RS256", typ: "JWT", ...(key.private_key_id ? { kid: key.private_key_id } : {}) }
  const claims = { iss: key.client_email, scope, aud: key.token_uri ?? DEFAULT_TOKEN_URL, iat, exp: iat + 3600 }
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  return `${unsigned}.${base64url(sign("RSA-SHA256", Buffer.from(unsigned), key.private_key))}`
}

const grantFor = (credentials: GoogleCredentials, scope: string, nowMs: number) => {
  if (credentials.type === "service_account") {
    const assertion = serviceAccountAssertion(credentials, scope, nowMs)
    const grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    return {
      body: new URLSearchParams({ grant_type: grant, assertion }).toString(),
      recorded: new URLSearchParams({ grant_type: grant, assertion: REDACTED }).toString(),
      secrets: [assertion]
    }
  }
  const { client_id, client_secret, refresh_token } = credentials
  return {
    body: new URLSearchParams({ grant_type: "refresh_token", client_id, client_secret, refresh_token }).toString(),
    recorded: new URLSearchParams({
      grant_type: "refresh_token",
      client_id,
      client_secret: REDACTED,
      refresh_token: REDACTED
    }).toString(),
    secrets: [client_secret, refresh_token]
  }
}

export interface AccessToken {
  readonly token: string
  /** True when the token came from the cache (a 401 then warrants one retry with a fresh token). */
  readonly cached: boolean
  readonly exchanges: ReadonlyArray<HttpExchange>
}

const fetchToken = Effect.fn("GoogleOAuth.fetchToken")(function* (credentials: GoogleCredentials, scope: string) {
  const nowMs = yield* Clock.currentTimeMillis
  const url = yield* Effect.orDie(tokenUrl)
  const grant = yield* Effect.try({
    try: () => grantFor(credentials, scope, nowMs),
    catch: () => configurationError("the service-account private_key cannot sign (not a PEM RSA key)")
  })
  const response = yield* httpCall({
    channel: GOOGLE_CHANNEL,
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: grant.body,
    recordedBody: grant.recorded,
    timeoutMs: TOKEN_TIMEOUT_MS,
    secrets: grant.secrets
  })
  const parsed = parseJson(response.body)
  const ok = parsed.ok ? Schema.decodeUnknownEither(TokenResponse)(parsed.value) : undefined
  if (response.status === 200 && ok && Either.isRight(ok)) {
    const token = ok.right.access_token
    const recorded = response.exchange.response
    // The issued token is a secret too; the log keeps the fact of the exchange, not the token.
    const exchange: HttpExchange =
      recorded === undefined
        ? response.exchange
        : { ...response.exchange, response: { ...recorded, body: recorded.body.split(token).join(REDACTED) } }
    return { token, expiresAt: nowMs + (ok.right.expires_in ?? 3600) * 1000, exchange }
  }
  const failure = parsed.ok ? Schema.decodeUnknownEither(TokenError)(parsed.value) : undefined
  const oauthError = failure && Either.isRight(failure) ? failure.right : undefined
  const byStatus = classifyStatus(response.status) ?? { reason: "Rejected" as const, retryable: false }
  // invalid_grant / invalid_client are 400/401: a revoked refresh token or a wrong key, fixed only by a person.
  const classified =
    oauthError !== undefined && response.status < 500 && response.status !== 429
      ? { reason: "Unauthorized" as const, retryable: false }
      : byStatus
  return yield* new ChannelError({
    channel: GOOGLE_CHANNEL,
    ...classified,
    status: response.status,
    retryAfterMs: classified.reason === "RateLimited" ? retryAfterMs(response.headers) : undefined,
    detail: `OAuth token exchange failed: ${
      oauthError
        ? `${oauthError.error}${oauthError.error_description ? ` (${oauthError.error_description})` : ""}`
        : `HTTP ${response.status}`
    }`,
    exchanges: [response.exchange]
  })
})

export interface GoogleTokens {
  readonly get: (credentials: GoogleCredentials, scope: string) => Effect.Effect<AccessToken, ChannelError>
  readonly invalidate: (credentials: GoogleCredentials, scope: string) => Effect.Effect<void>
}

interface CachedToken {
  readonly token: string
  readonly expiresAt: number
}

const cacheKey = (credentials: GoogleCredentials, scope: string) =>
  sha256Hex(`${JSON.stringify(credentials)}\n${scope}`)

/**
 * One cache per adapter instance. A hit is a plain read, without a lock. A miss fetches under a lock
 * of its own cache key only: concurrent sends with the same credential share one exchange, and a slow
 * token endpoint for one credential never holds up the sends of another.
 */
export const makeGoogleTokens: Effect.Effect<GoogleTokens> = Effect.gen(function* () {
  const cache = yield* Ref.make(new Map<string, CachedToken>())
  const locks = new Map<string, Effect.Semaphore>()
  const lockFor = (key: string) =>
    Effect.sync(() => locks.get(key)).pipe(
      Effect.flatMap((lock) =>
        lock !== undefined
          ? Effect.succeed(lock)
          : Effect.map(Effect.makeSemaphore(1), (made) => {
              // Two fibers may both make one: the first stored wins, so each key has exactly one lock.
              const existing = locks.get(key)
              if (existing !== undefined) return existing
              locks.set(key, made)
              return made
            })
      )
    )
  const valid = (key: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const hit = (yield* Ref.get(cache)).get(key)
      return hit !== undefined && now < hit.expiresAt - EXPIRY_MARGIN_MS ? hit : undefined
    })
  const fromCache = (hit: CachedToken): AccessToken => ({ token: hit.token, cached: true, exchanges: [] })
  const get = (credentials: GoogleCredentials, scope: string): Effect.Effect<AccessToken, ChannelError> =>
    Effect.gen(function* () {
      const key = cacheKey(credentials, scope)
      const hit = yield* valid(key)
      if (hit !== undefined) return fromCache(hit)
      const lock = yield* lockFor(key)
      return yield* lock.withPermits(1)(
        Effect.gen(function* () {
          // Another fiber may have fetched it while this one waited for the lock.
          const fetched = yield* valid(key)
          if (fetched !== undefined) return fromCache(fetched)
          const fresh = yield* fetchToken(credentials, scope)
          yield* Ref.update(cache, (entries) =>
            new Map(entries).set(key, { token: fresh.token, expiresAt: fresh.expiresAt })
          )
          return { token: fresh.token, cached: false, exchanges: [fresh.exchange] } satisfies AccessToken
        })
      )
    })
  const invalidate = (credentials: GoogleCredentials, scope: string) =>
    Ref.update(cache, (entries) => {
      const next = new Map(entries)
      next.delete(cacheKey(credentials, scope))
      return next
    })
  return { get, invalidate }
})
