// The `route` label of the HTTP metrics comes from the router's match, never from the URL: every
// route of the API's router (the HttpApi endpoints, the docs and console assets) marks the request
// with its path template as it starts (`/webhooks/:sourceId`, `/api/v1/orders/:orderKey`), and the
// metrics middleware (observe.ts) reads it once the response is written. A request no route matched
// keeps UNMATCHED, one bounded value: a raw path would give Prometheus a series per URL.
import { HttpApiBuilder, HttpRouter } from "@effect/platform"
import { Effect, FiberRef, Layer } from "effect"

/** The label of a request no route matched (404, 405). */
export const UNMATCHED = "other"

/** The path template of the route serving this request's fiber, UNMATCHED until a route starts. */
export const CurrentRoute: FiberRef.FiberRef<string> = FiberRef.unsafeMake<string>(UNMATCHED)

/**
 * Every route of `router` sets CurrentRoute to its own path template before its handler (and the
 * handler's middleware, authentication included) runs. The router sets RouteContext only inside the
 * route; a FiberRef set there is still readable by the middleware outside it, in the same fiber.
 */
export const labelRoutes = <E, R>(router: HttpRouter.HttpRouter<E, R>) =>
  HttpRouter.use(router, (handler) =>
    Effect.flatMap(HttpRouter.RouteContext, (context) =>
      Effect.zipRight(FiberRef.set(CurrentRoute, context.route.path), handler)
    )
  )

/**
 * HttpApiBuilder's router (the one every group and Router.use layer adds its routes to: the same
 * memoized Router.Live) as httpApp reads it, with every route labelled.
 */
export const LabelledRouterLive = Layer.effect(
  HttpApiBuilder.Router,
  Effect.map(HttpApiBuilder.Router, (service) => ({ ...service, router: Effect.map(service.router, labelRoutes) }))
).pipe(Layer.provide(HttpApiBuilder.Router.Live))
