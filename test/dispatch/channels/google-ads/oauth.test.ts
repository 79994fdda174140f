import { generateKeyPairSync, verify } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { makeOrder } from "../support/orders.js"
import { withEnv } from "../support/run.js"
import {
  CREDENTIALS,
  dispatch,
  envFor,
  failure,
  ingestOk,
  ingestRequests,
  sendOnce,
  success,
  tokenRequests,
  withGoogle
} from "./support.js"

const DE = dispatch(makeOrder("DE"))

describe("Google token cache", () => {
  it.effect("one token exchange serves several sends", () =>
    withGoogle({}, (channel, server) =>
      Effect.gen(function* () {
        for (let i = 0; i < 3; i++) success(yield* Effect.either(channel.send(DE)))
        expect(tokenRequests(server)).toHaveLength(1)
        expect(ingestRequests(server).map((r) => r.headers.authorization)).toEqual([
          "Bearer ya29.token-1",
          "Bearer ya29.token-1",
          "Bearer ya29.token-1"
        ])
      }).pipe(withEnv(envFor(server)))
    )
  )

  it.effect("refreshes a minute before expiry, not earlier", () =>
    withGoogle({}, (channel, server) =>
      Effect.gen(function* () {
        yield* channel.send(DE)
        // expires_in 3599 s: still valid 3530 s later, refreshed at 3540 s (60 s margin).
        yield* TestClock.adjust("3530 seconds")
        yield* channel.send(DE)
        expect(tokenRequests(server)).toHaveLength(1)
        yield* TestClock.adjust("10 seconds")
        yield* channel.send(DE)
        expect(tokenRequests(server)).toHaveLength(2)
        expect(ingestRequests(server)[2]!.headers.authorization).toBe("Bearer ya29.token-2")
      }).pipe(withEnv(envFor(server)))
    )
  )

  it.effect("a 401 on a cached token invalidates it and retries once with a fresh one", () =>
    withGoogle(
      {
        ingest: (_r, n) =>
          n === 1 ? { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED" } } } : ingestOk()
      },
      (channel, server) =>
        Effect.gen(function* () {
          yield* channel.send(DE)
          const second = success(yield* Effect.either(channel.send(DE)))
          expect(tokenRequests(server)).toHaveLength(2)
          expect(ingestRequests(server).map((r) => r.headers.authorization)).toEqual([
            "Bearer ya29.token-1",
            "Bearer ya29.token-1",
            "Bearer ya29.token-2"
          ])
          // The whole story is recorded: failed ingest, token exchange, successful ingest.
          expect(second.exchanges.map((e) => `${e.request.url.replace(server.url, "")} ${e.response?.status}`)).toEqual(
            ["/v1/events:ingest 401", "/token 200", "/v1/events:ingest 200"]
          )
        }).pipe(withEnv(envFor(server)))
    )
  )

  it.effect("a 401 with a fresh token is Unauthorized, and the next send fetches a new token", () =>
    withGoogle(
      {
        ingest: (_r, n) =>
          n === 0 ? { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED" } } } : ingestOk()
      },
      (channel, server) =>
        Effect.gen(function* () {
          const error = failure(yield* Effect.either(channel.send(DE)))
          expect(error.reason).toBe("Unauthorized")
          expect(tokenRequests(server)).toHaveLength(1)
          success(yield* Effect.either(channel.send(DE)))
          expect(tokenRequests(server)).toHaveLength(2)
        }).pipe(withEnv(envFor(server)))
    )
  )

  it.effect("caches per credential: another target's credentials get their own token", () =>
    withGoogle({}, (channel, server) =>
      Effect.gen(function* () {
        yield* channel.send(DE)
        const other = {
          ...DE.target,
          id: "google-other",
          credentials: "env:OTHER_CREDS" as typeof DE.target.credentials
        }
        yield* channel.send({ ...DE, target: other })
        yield* channel.send(DE)
        expect(tokenRequests(server)).toHaveLength(2)
      }).pipe(withEnv(envFor(server, { OTHER_CREDS: JSON.stringify({ ...CREDENTIALS, refresh_token: "1//other" }) })))
    )
  )
})

describe("Google token exchange", () => {
  it.effect("records the exchange without client secret, refresh token or access token", () =>
    Effect.gen(function* () {
      const { result } = yield* sendOnce(DE)
      const [token, ingest] = success(result).exchanges
      expect(token!.request.body).toBe(
        `grant_type=refresh_token&client_id=${encodeURIComponent(CREDENTIALS.client_id)}&client_secret=%5Bredacted%5D&refresh_token=%5Bredacted%5D`
      )
      expect(token!.response?.body).toContain('"access_token":"[redacted]"')
      expect(ingest!.request.headers.authorization).toBe("[redacted]")
      const all = JSON.stringify(success(result).exchanges)
      for (const secret of [CREDENTIALS.client_secret, CREDENTIALS.refresh_token, "ya29.token-1"]) {
        expect(all).not.toContain(secret)
      }
    })
  )

  it.effect("invalid_grant is a permanent Unauthorized with Google's explanation", () =>
    Effect.gen(function* () {
      const { result, server } = yield* sendOnce(DE, {
        token: () => ({
          status: 400,
          body: { error: "invalid_grant", error_description: "Token has been expired or revoked." }
        })
      })
      expect(ingestRequests(server)).toHaveLength(0)
      const error = failure(result)
      expect(error.reason).toBe("Unauthorized")
      expect(error.retryable).toBe(false)
      expect(error.detail).toBe("OAuth token exchange failed: invalid_grant (Token has been expired or revoked.)")
      expect(error.exchanges).toHaveLength(1)
    })
  )

  it.effect("a 503 from the token endpoint is retried", () =>
    Effect.gen(function* () {
      const { result } = yield* sendOnce(DE, { token: () => ({ status: 503, body: "unavailable" }) })
      const error = failure(result)
      expect(error.reason).toBe("ServerError")
      expect(error.retryable).toBe(true)
    })
  )

  it.effect("a service-account key signs an RS256 JWT bearer assertion for the datamanager scope", () =>
    Effect.gen(function* () {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
      const key = {
        type: "service_account",
        project_id: "acme",
        private_key_id: "kid-1",
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        client_email: "s2s@acme.iam.gserviceaccount.com",
        token_uri: "https://oauth2.googleapis.com/token"
      }
      yield* TestClock.setTime(1_773_000_000_000)
      const { result, server } = yield* sendOnce(DE, {}, { GOOGLE_CREDS: JSON.stringify(key) })
      expect(Either.isRight(result)).toBe(true)
      const form = new URLSearchParams(tokenRequests(server)[0]!.body)
      expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer")
      const [header, claims, signature] = form.get("assertion")!.split(".")
      const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"))
      expect(decode(header!)).toEqual({ alg: "RS256", typ: "JWT", kid: "kid-1" })
      expect(decode(claims!)).toEqual({
        iss: "s2s@acme.iam.gserviceaccount.com",
        scope: "https://www.googleapis.com/auth/datamanager",
        aud: "https://oauth2.googleapis.com/token",
        iat: 1_773_000_000,
        exp: 1_773_003_600
      })
      const signed = Buffer.from(`${header}.${claims}`)
      expect(verify("RSA-SHA256", signed, publicKey, Buffer.from(signature!, "base64url"))).toBe(true)
      expect(ingestRequests(server)[0]!.headers.authorization).toBe("Bearer ya29.token-1")
      expect(JSON.stringify(success(result).exchanges)).not.toContain(form.get("assertion")!)
    })
  )

  it.effect("a service-account key that cannot sign is a Configuration error", () =>
    Effect.gen(function* () {
      const key = { type: "service_account", client_email: "x@y", private_key: "not a key" }
      const { result, server } = yield* sendOnce(DE, {}, { GOOGLE_CREDS: JSON.stringify(key) })
      expect(server.requests).toHaveLength(0)
      expect(failure(result).reason).toBe("Configuration")
    })
  )
})
