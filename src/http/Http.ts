// Serves the HttpApi on Node: PORT (default 3000), strict request/header timeouts (slowloris), JSON
// errors for every refusal (guard.ts: NUL bytes, malformed HTTP; unknown routes; defects), and
// request metrics. Group implementations are provided by main.ts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import { HttpApiBuilder, HttpApp, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Cause, Config, Context, Effect, Layer, Option, Runtime } from "effect"
import { httpDuration, httpRequests } from "../lib/metrics.js"
import { makeRateLimitedLog } from "../lib/rateLimitedLog.js"
import { onClientError, refuseNul, refuseNulUpgrade } from "./guard.js"

export const HttpConfig = Config.all({
  port: Config.integer("PORT").pipe(Config.withDefault(3000)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})

/** A low-cardinality label for metrics: ids and keys replaced by placeholders. */
export const routeLabel = (url: string) => {
  const path = url.split("?")[0] ?? "/"
  if (path.startsWith("/webhooks/")) return "/webhooks/:sourceId"
  if (/^\/api\/v1\/orders\/[^/]+\/events$/.test(path)) return "/api/v1/orders/:orderKey/events"
  if (/^\/api\/v1\/orders\/[^/]+$/.test(path)) return "/api/v1/orders/:orderKey"
  if (/^\/api\/v1\/projections\/[^/]+\/rebuild$/.test(path)) return "/api/v1/projections/:name/rebuild"
  return /^\/(healthz|readyz|metrics|docs|api\/v1\/[a-z]+(\/explain)?)$/.test(path) ? path : "other"
}

const STATUS_CODES: Readonly<Record<number, readonly [string, string]>> = {
  400: ["bad_request", "the request is not valid"],
  401: ["unauthorized", "a valid bearer token is required"],
  403: ["insufficient_scope", "the token's scope does not cover this endpoint"],
  405: ["method_not_allowed", "this method is not allowed here"],
  413: ["payload_too_large", "the body is too large"],
  415: ["unsupported_media_type", "the content type is not supported"]
}

/**
 * Every error answer carries the JSON error shape: the router answers an unknown route (and a few
 * framework errors) with an empty body, and a defect in a handler would otherwise be an empty 500.
 */
const shaped = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  if (response.status < 400 || response.body._tag !== "Empty") return response
  const path = request.url.split("?")[0] ?? "/"
  const [error, message] =
    response.status === 404
      ? ["not_found", `no route for ${request.method} ${path.slice(0, 200)}`]
      : response.status >= 500
        ? ["internal", "the request could not be answered"]
        : (STATUS_CODES[response.status] ?? ["bad_request", "the request was refused"])
  return HttpServerResponse.unsafeJson({ error, message }, { status: response.status, headers: response.headers })
}

const observed = <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    // The platform writes the response (error responses included) before this middleware's result is
    // seen, so shaping and counting happen in a pre-response handler, which sees every response.
    yield* HttpApp.appendPreResponseHandler((req, res) =>
      Effect.sync(() => {
        const response = shaped(req, res)
        const route = routeLabel(req.url)
        httpRequests.inc({ route, method: req.method, status: String(response.status) })
        httpDuration.observe({ route }, (performance.now() - started) / 1000)
        return response
      })
    )
    return yield* app.pipe(
      Effect.tapErrorCause((cause) =>
        // A defect was answered 500 (shaped above); say why. Expected failures (an unknown route)
        // and a client that went away are not errors of the service.
        Cause.isDie(cause)
          ? Effect.logError(`${request.method} ${routeLabel(request.url)} failed; answered 500`, cause)
          : Effect.void
      )
    )
  })

/** A listener that answers some requests before the router (true: answered); see ingest/IngestFront.ts. */
export class FrontHandler extends Context.Tag("app/http/FrontHandler")<
  FrontHandler,
  (req: IncomingMessage, res: ServerResponse) => boolean
>() {}

export const serverLayer = Layer.unwrapEffect(
  Effect.gen(function* () {
    const { port, host } = yield* HttpConfig
    const front = yield* Effect.serviceOption(FrontHandler)
    // Run with this layer's runtime, so refusals go through the configured logger and level.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const log = makeRateLimitedLog(10_000, (message) => runFork(Effect.logWarning(message)))
    return NodeHttpServer.layer(
      () => {
        const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 })
        server.on("clientError", onClientError(log))
        // The platform attaches its listeners with `on`; the guard (and the front handler) go before them.
        const on = server.on.bind(server) as (event: string, listener: (...args: Array<unknown>) => void) => unknown
        server.on = ((event: string, listener: (...args: Array<unknown>) => void) =>
          event === "request"
            ? on("request", (req, res) => {
                if (refuseNul(req as IncomingMessage, res as ServerResponse, log)) return
                if (Option.isSome(front) && front.value(req as IncomingMessage, res as ServerResponse)) return
                listener(req, res)
              })
            : event === "upgrade"
              ? on("upgrade", (req, socket, head) => {
                  if (!refuseNulUpgrade(req as IncomingMessage, socket as Duplex, log)) listener(req, socket, head)
                })
              : on(event, listener)) as unknown as typeof server.on
        return server
      },
      { port, host }
    )
  })
)

/** The HTTP server: the Api (provided by the caller) served with our middleware. */
export const HttpLive = HttpApiBuilder.serve(observed).pipe(HttpServer.withLogAddress, Layer.provide(serverLayer))
