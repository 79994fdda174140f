// The token cache's locking: per credential, and none at all for a cache hit. Real time and a token
// endpoint on loopback that answers one credential slowly.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Option } from "effect"
import {
  DATA_MANAGER_SCOPE,
  type GoogleCredentials,
  makeGoogleTokens
} from "../../../../src/dispatch/channels/google-ads/oauth.js"
import { waitUntil } from "../../../support/wait.js"
import { CREDENTIALS } from "./support.js"

const SLOW_REFRESH = "1//slow-credential"
const SLOW: GoogleCredentials = { ...CREDENTIALS, type: "authorized_user", refresh_token: SLOW_REFRESH }
const FAST: GoogleCredentials = { ...CREDENTIALS, type: "authorized_user", refresh_token: "1//fast-credential" }
const SLOW_MS = 1500

/** A token endpoint that answers SLOW's refresh token after SLOW_MS and every other at once. */
const withTokenServer = <A, E>(use: (received: Array<string>) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: ReturnType<typeof createServer>; url: string; received: Array<string> }>((resume) => {
      const received: Array<string> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const refresh = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("refresh_token") ?? ""
          received.push(refresh)
          const reply = () => {
            res.writeHead(200, { "content-type": "application/json" })
            res.end(JSON.stringify({ access_token: `ya29.${refresh.slice(3)}-${received.length}`, expires_in: 3599 }))
          }
          if (refresh === SLOW_REFRESH) setTimeout(reply, SLOW_MS)
          else reply()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, url: `http://127.0.0.1:${port}/token`, received }))
      })
    }),
    ({ url, received }) =>
      use(received).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["GOOGLE_OAUTH_TOKEN_URL", url]])))),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const waitFor = (check: () => boolean) => Effect.promise(() => waitUntil("condition", check))

describe("Google token cache locking", () => {
  it.live("a slow token exchange for one credential does not hold up another credential's cached token", () =>
    withTokenServer((received) =>
      Effect.gen(function* () {
        const tokens = yield* makeGoogleTokens
        const first = yield* tokens.get(FAST, DATA_MANAGER_SCOPE)
        expect(first.cached).toBe(false)

        const slow = yield* Effect.fork(tokens.get(SLOW, DATA_MANAGER_SCOPE))
        yield* waitFor(() => received.includes(SLOW_REFRESH))
        const started = Date.now()
        const hit = yield* tokens.get(FAST, DATA_MANAGER_SCOPE)
        expect(Date.now() - started).toBeLessThan(SLOW_MS / 3)
        expect(hit).toMatchObject({ token: first.token, cached: true, exchanges: [] })
        // The slow exchange is still in flight: the hit did not wait for it.
        expect(Option.isNone(yield* Fiber.poll(slow))).toBe(true)
        expect((yield* Fiber.join(slow)).cached).toBe(false)
      })
    )
  )

  it.live("a slow exchange does not hold up another credential's own exchange either", () =>
    withTokenServer((received) =>
      Effect.gen(function* () {
        const tokens = yield* makeGoogleTokens
        const slow = yield* Effect.fork(tokens.get(SLOW, DATA_MANAGER_SCOPE))
        yield* waitFor(() => received.includes(SLOW_REFRESH))
        const started = Date.now()
        const fresh = yield* tokens.get(FAST, DATA_MANAGER_SCOPE)
        expect(Date.now() - started).toBeLessThan(SLOW_MS / 3)
        expect(fresh.cached).toBe(false)
        expect(Option.isNone(yield* Fiber.poll(slow))).toBe(true)
        yield* Fiber.join(slow)
      })
    )
  )

  it.live("concurrent misses for the same credential share one exchange", () =>
    withTokenServer((received) =>
      Effect.gen(function* () {
        const tokens = yield* makeGoogleTokens
        const results = yield* Effect.all(
          Array.from({ length: 5 }, () => tokens.get(SLOW, DATA_MANAGER_SCOPE)),
          { concurrency: "unbounded" }
        )
        expect(received).toEqual([SLOW_REFRESH])
        expect(new Set(results.map((r) => r.token)).size).toBe(1)
        expect(results.filter((r) => !r.cached)).toHaveLength(1)
      })
    )
  )
})
