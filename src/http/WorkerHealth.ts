// A small listener for processes that run the worker without the API (`s2s worker`,
// `serve --worker-only`): GET /healthz, /readyz and /metrics on METRICS_PORT, so container health
// checks and Prometheus reach a worker too (its job counters and durations live only in its own
// process). Off unless METRICS_PORT is set (the image sets 9091), so several local workers never
// fight over a port. Same answers as the API's health group; no auth, like those.
import { createServer } from "node:http"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer, Option } from "effect"
import { Db } from "../db/Db.js"
import { makeReadiness } from "./HealthHttp.js"
import { metricsContentType, renderMetrics } from "./metrics.js"

export const WorkerHealthConfig = Config.all({
  port: Config.option(Config.integer("METRICS_PORT")),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})

const router = (ready: Effect.Effect.Success<typeof makeReadiness>) =>
  HttpRouter.empty.pipe(
    HttpRouter.get("/healthz", HttpServerResponse.unsafeJson({ status: "ok" })),
    HttpRouter.get(
      "/readyz",
      ready.pipe(
        Effect.map((ready) => HttpServerResponse.unsafeJson(ready)),
        Effect.catchAll((error) => Effect.succeed(HttpServerResponse.unsafeJson(error, { status: 503 })))
      )
    ),
    HttpRouter.get(
      "/metrics",
      Effect.flatMap(Db, renderMetrics).pipe(
        Effect.map((text) => HttpServerResponse.text(text, { contentType: metricsContentType }))
      )
    )
  )

export const WorkerHealthLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const { port, host } = yield* WorkerHealthConfig
    if (Option.isNone(port) || port.value === 0) return Layer.empty
    const ready = yield* makeReadiness
    return HttpServer.serve(router(ready)).pipe(
      HttpServer.withLogAddress,
      Layer.provide(
        NodeHttpServer.layer(() => createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }), {
          port: port.value,
          host
        })
      )
    )
  })
)
