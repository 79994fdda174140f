// The middleware around the whole HTTP app: every error answer gets the JSON error shape, every
// request is counted and timed under its route's template (routeLabel.ts), and a defect is logged.
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, FiberRef } from "effect"
import { httpDuration, httpRequests } from "../lib/metrics.js"
import { CurrentRoute } from "./routeLabel.js"

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

export const observed = <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    // The platform writes the response (error responses included) before this middleware's result is
    // seen, so shaping and counting happen in a pre-response handler, which sees every response. It
    // runs in the request's fiber after the router, so CurrentRoute holds the matched route by then.
    yield* HttpApp.appendPreResponseHandler((req, res) =>
      Effect.map(FiberRef.get(CurrentRoute), (route) => {
        const response = shaped(req, res)
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
          ? Effect.flatMap(FiberRef.get(CurrentRoute), (route) =>
              Effect.logError(`${request.method} ${route} failed; answered 500`, cause)
            )
          : Effect.void
      )
    )
  })
