// Serves the HttpApi on Node: PORT (default 3000), strict request/header timeouts (slowloris), JSON
// 404s, and request metrics. Group implementations are provided by main.ts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { HttpApiBuilder, HttpServer, HttpServerRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Context, Effect, Layer, Option } from "effect"
import { httpDuration, httpRequests } from "../lib/metrics.js"
import { errorResponse } from "./errors.js"

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
  if (path.startsWith("/console/"))
    return path.startsWith("/console/api/")
      ? "/console/api"
      : path.startsWith("/console/assets/")
        ? "/console/assets"
        : "/console"
  if (path.startsWith("/docs/assets/")) return "/docs/assets"
  return /^\/(healthz|readyz|metrics|docs|console|api\/v1\/[a-z]+(\/explain)?)$/.test(path) ? path : "other"
}

const observed = <E, R>(app: Effect.Effect<import("@effect/platform").HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    const response = yield* app.pipe(
      Effect.catchTag("RouteNotFound" as never, () =>
        Effect.succeed(errorResponse(404, "not_found", `no route for ${request.method} ${request.url.split("?")[0]}`))
      )
    )
    const route = routeLabel(request.url)
    httpRequests.inc({ route, method: request.method, status: String(response.status) })
    httpDuration.observe({ route }, (performance.now() - started) / 1000)
    return response
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
    return NodeHttpServer.layer(
      () => {
        const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 })
        if (Option.isSome(front)) {
          // The platform attaches its request listener with `on`; the front handler goes before it.
          const on = server.on.bind(server) as (event: string, listener: (...args: Array<unknown>) => void) => unknown
          server.on = ((event: string, listener: (...args: Array<unknown>) => void) =>
            event === "request"
              ? on("request", (req, res) => {
                  if (!front.value(req as IncomingMessage, res as ServerResponse)) listener(req, res)
                })
              : on(event, listener)) as unknown as typeof server.on
        }
        return server
      },
      { port, host }
    )
  })
)

/** The HTTP server: the Api (provided by the caller) served with our middleware. */
export const HttpLive = HttpApiBuilder.serve(observed).pipe(HttpServer.withLogAddress, Layer.provide(serverLayer))
