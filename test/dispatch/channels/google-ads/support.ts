// Fake Google endpoints on one loopback server: POST /token (OAuth) and POST /v1/events:ingest.
import { Effect, Either } from "effect"
import type { ChannelAdapter, ChannelError, DispatchInput } from "../../../../src/dispatch/Channel.js"
import {
  type GoogleAdsChannelOptions,
  makeGoogleAdsChannel
} from "../../../../src/dispatch/channels/google-ads/GoogleAdsChannel.js"
import type { CanonicalOrder } from "../../../../src/events/CanonicalOrder.js"
import type { GoogleAdsTarget } from "../../../../src/events/configSchema.js"
import { type FakeServer, type Handler, type Received, type Reply, withFakeServer } from "../support/fakeServer.js"
import { NOW } from "../support/orders.js"
import { withEnv } from "../support/run.js"

export const CREDENTIALS = {
  client_id: "123-abc.apps.googleusercontent.com",
  client_secret: "GOCSPX-client-secret",
  refresh_token: "1//refresh-token-value",
  type: "authorized_user"
}

export const target: GoogleAdsTarget = {
  id: "google-acme",
  channel: "google-ads",
  enabled: true,
  api: "data-manager",
  customerId: "1234567890",
  conversionActionId: "987654321",
  credentials: "env:GOOGLE_CREDS" as GoogleAdsTarget["credentials"]
}

export const dispatch = (
  order: CanonicalOrder,
  overrides: Partial<DispatchInput<GoogleAdsTarget>> = {}
): DispatchInput<GoogleAdsTarget> => ({ order, target, kind: "conversion", attempt: 1, now: NOW, ...overrides })

export const tokenReply =
  (prefix = "ya29.token") =>
  (_request: Received, n: number): Reply => ({
    status: 200,
    body: { access_token: `${prefix}-${n + 1}`, expires_in: 3599, token_type: "Bearer", scope: "x" }
  })

export const ingestOk = (): Reply => ({ status: 200, body: { requestId: "req-42" } })

export interface Routes {
  readonly token?: (request: Received, n: number) => Reply
  readonly ingest?: (request: Received, n: number) => Reply
}

/** Routes by path; `n` counts requests per route. */
export const googleHandler = (routes: Routes = {}): Handler => {
  let tokens = 0
  let ingests = 0
  return (request) =>
    request.url.startsWith("/token")
      ? (routes.token ?? tokenReply())(request, tokens++)
      : request.url === "/v1/events:ingest"
        ? (routes.ingest ?? ingestOk)(request, ingests++)
        : { status: 404, body: { error: { code: 404, message: `no route ${request.url}`, status: "NOT_FOUND" } } }
}

export const tokenRequests = (server: FakeServer) => server.requests.filter((r) => r.url.startsWith("/token"))
export const ingestRequests = (server: FakeServer) => server.requests.filter((r) => r.url === "/v1/events:ingest")
export const ingestBody = (server: FakeServer, i = 0) => JSON.parse(ingestRequests(server)[i]?.body ?? "null")

export const envFor = (server: FakeServer, extra: Record<string, string> = {}) => ({
  GOOGLE_CREDS: JSON.stringify(CREDENTIALS),
  GOOGLE_DATA_MANAGER_URL: server.url,
  GOOGLE_OAUTH_TOKEN_URL: `${server.url}/token`,
  ...extra
})

/** A fresh adapter (fresh token cache) against fresh fake endpoints; `use` gets both. */
export const withGoogle = <A, E>(
  routes: Routes,
  use: (channel: ChannelAdapter<GoogleAdsTarget>, server: FakeServer) => Effect.Effect<A, E, never>,
  options: GoogleAdsChannelOptions = {}
) =>
  withFakeServer(googleHandler(routes), (server) =>
    Effect.flatMap(makeGoogleAdsChannel(options), (c) => use(c, server))
  )

/** One send with a fresh adapter. */
export const sendOnce = (
  input: DispatchInput<GoogleAdsTarget>,
  routes: Routes = {},
  env: Record<string, string> = {},
  options: GoogleAdsChannelOptions = {}
) =>
  withGoogle(
    routes,
    (channel, server) =>
      channel.send(input).pipe(
        Effect.either,
        withEnv(envFor(server, env)),
        Effect.map((result) => ({ result, server }))
      ),
    options
  )

export const failure = (result: Either.Either<unknown, ChannelError>): ChannelError => {
  if (Either.isRight(result)) throw new Error(`expected a ChannelError, got ${JSON.stringify(result.right)}`)
  return result.left
}

export const success = <A>(result: Either.Either<A, ChannelError>): A => {
  if (Either.isLeft(result)) throw new Error(`expected success, got ${result.left.message}`)
  return result.right
}
