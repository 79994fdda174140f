// Serves the HttpApi on Node: PORT (default 3000), strict request/header timeouts (slowloris), JSON
// errors for every refusal (guard.ts: NUL bytes, malformed HTTP; observe.ts: unknown routes, defects),
// and request metrics labelled by the matched route (routeLabel.ts). Group implementations are
// provided by main.ts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Context, Effect, Layer, Option, Runtime } from "effect"
import { makeRateLimitedLog } from "../lib/rateLimitedLog.js"
import { onClientError, refuseNul } from "./guard.js"
import { observed } from "./observe.js"
import { LabelledRouterLive } from "./routeLabel.js"

export const HttpConfig = Config.all({
  port: Config.integer("PORT").pipe(Config.withDefault(3000)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})

/** A listener that answers some requests before the router (true: answered); see ingest/IngestFront.ts. */
export class FrontHandler extends Context.Tag("app/http/FrontHandler")<
  FrontHandler,
  (req: IncomingMessage, res: ServerResponse) => boolean
>() {}

/**
 * The platform's Node server (listening, closing), whose app is served by our own request listener:
 * the guard, then the front handler, then the platform's handler. No "upgrade" listener: Node then
 * passes a request with an Upgrade header to this listener like any other (the API has no WebSocket).
 */
export const serverLayer = Layer.scoped(
  HttpServer.HttpServer,
  Effect.gen(function* () {
    const { port, host } = yield* HttpConfig
    const front = yield* Effect.serviceOption(FrontHandler)
    // Run with this layer's runtime, so refusals go through the configured logger and level.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const log = makeRateLimitedLog(10_000, (message) => runFork(Effect.logWarning(message)))
    const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 })
    server.on("clientError", onClientError(log))
    const { address } = yield* NodeHttpServer.make(() => server, { port, host })
    return HttpServer.make({
      address,
      serve: (app, middleware) =>
        Effect.gen(function* () {
          const handler = yield* middleware === undefined
            ? NodeHttpServer.makeHandler(app)
            : NodeHttpServer.makeHandler(app, middleware)
          const listener = (req: IncomingMessage, res: ServerResponse) => {
            if (refuseNul(req, res, log)) return
            if (Option.isSome(front) && front.value(req, res)) return
            handler(req, res)
          }
          server.on("request", listener)
          yield* Effect.addFinalizer(() => Effect.sync(() => server.off("request", listener)))
        })
    })
  })
).pipe(Layer.merge(NodeHttpServer.layerContext))

/** The Api (provided by the caller) with our middleware, served by whichever HttpServer is provided. */
export const ServeApiLive = HttpApiBuilder.httpApp.pipe(
  Effect.map((app) => HttpServer.serve(app, observed)),
  Layer.unwrapEffect,
  Layer.provide([LabelledRouterLive, HttpApiBuilder.Middleware.layer])
)

/** The HTTP server: the Api served on PORT. */
export const HttpLive = ServeApiLive.pipe(HttpServer.withLogAddress, Layer.provide(serverLayer))
