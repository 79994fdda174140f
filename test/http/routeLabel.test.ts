// The metrics' route label comes from the router's match: every endpoint of the HttpApi (and every
// route added beside it: docs and console assets) is counted under its path template, whatever the
// ids in the URL and whether or not the request is authenticated; a request no route matches is
// counted as "other", however many different paths arrive. The API is served for real on loopback
// (http/Http.ts's server and middleware) with stub handlers, so no database is needed. An endpoint
// added to the Api is covered here without listing it.
import {
  type HttpApi,
  HttpApiBuilder,
  type HttpApiEndpoint,
  type HttpApiGroup,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { ConfigProvider, Effect, Exit, Layer, Scope } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { Authentication } from "../../src/api/Auth.js"
import { unauthorized } from "../../src/api/errors.js"
import { ConsoleStaticLive } from "../../src/console/assets/ConsoleStaticLive.js"
import { ConsoleAuth } from "../../src/console/session/ConsoleAuth.js"
import { Api } from "../../src/http/Api.js"
import { DocsAssetsLive } from "../../src/http/docsAssets.js"
import { ServeApiLive, serverLayer } from "../../src/http/Http.js"
import { UNMATCHED } from "../../src/http/routeLabel.js"
import { httpRequests } from "../../src/lib/metrics.js"
import { onCleanup } from "../support/cleanup.js"
import { rawRequest, rawText } from "../support/rawHttp.js"

type Endpoint = HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
const groups = Object.values(Api.groups) as unknown as ReadonlyArray<HttpApiGroup.HttpApiGroup.AnyWithProps>
const endpoints: ReadonlyArray<Endpoint> = groups.flatMap((group) => Object.values(group.endpoints) as Array<Endpoint>)

/** Every endpoint of a group answers 200 "stub" (when its authentication lets the request through). */
const stubGroup = (group: HttpApiGroup.HttpApiGroup.AnyWithProps) =>
  HttpApiBuilder.group(Api, group.identifier as never, (handlers) =>
    Object.keys(group.endpoints).reduce(
      // biome-ignore lint/suspicious/noExplicitAny: the handlers of any group, built generically
      (h: any, name: string) => h.handleRaw(name, () => Effect.succeed(HttpServerResponse.text("stub"))),
      handlers
    )
  ) as unknown as Layer.Layer<never>

/** The Api with stub handlers; its authentication refuses every request (401). */
const StubsLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide(groups.map(stubGroup).reduce((all, layer) => Layer.merge(all, layer), Layer.empty)),
  Layer.provide(
    Layer.merge(
      Layer.succeed(Authentication, Authentication.of({ bearer: () => Effect.fail(unauthorized()) })),
      Layer.succeed(ConsoleAuth, ConsoleAuth.of({ session: () => Effect.fail(unauthorized()) }))
    )
  )
) as unknown as Layer.Layer<HttpApi.Api>

/** The counter's value for one label set (0 when absent). */
const counted = async (labels: { route: string; method: string; status: string }) => {
  const { values } = await httpRequests.get()
  const hit = values.find(
    (v) => v.labels.route === labels.route && v.labels.method === labels.method && v.labels.status === labels.status
  )
  return hit?.value ?? 0
}

/** Labels the request got: the one label set whose count went up by one. */
const labelOf = async (method: string, path: string) => {
  const before = new Map((await httpRequests.get()).values.map((v) => [JSON.stringify(v.labels), v.value]))
  const response = await fetch(`${baseUrl}${path}`, method === "GET" ? { method } : { method, body: "{}" })
  await response.arrayBuffer()
  const changed = (await httpRequests.get()).values.filter(
    (v) => v.value !== (before.get(JSON.stringify(v.labels)) ?? 0)
  )
  expect(changed).toHaveLength(1)
  const labels = changed[0]!.labels
  expect(labels).toEqual({ route: labels.route, method, status: String(response.status) })
  expect(await counted(labels as never)).toBe((before.get(JSON.stringify(labels)) ?? 0) + 1)
  return String(labels.route)
}

/** A URL of a template: each path parameter filled with an id-like value. */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, (name) => `${name.slice(1)}-4f2a%3A1001`)

let baseUrl = ""
beforeAll(async () => {
  const provider = ConfigProvider.fromMap(
    new Map([
      ["PORT", "0"],
      ["HOST", "127.0.0.1"]
    ])
  )
  const layer = ServeApiLive.pipe(
    Layer.provide([StubsLive, DocsAssetsLive, ConsoleStaticLive]),
    Layer.provideMerge(serverLayer),
    Layer.provide(Layer.setConfigProvider(provider))
  )
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  onCleanup(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  const address = Effect.runSync(Effect.provide(HttpServer.HttpServer, context)).address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  baseUrl = `http://127.0.0.1:${address.port}`
})

describe("metric route labels", () => {
  it("every endpoint of the API is counted under its path template", async () => {
    expect(endpoints.length).toBeGreaterThan(30)
    for (const endpoint of endpoints) {
      expect(endpoint.path).not.toBe(UNMATCHED)
      expect([endpoint.method, await labelOf(endpoint.method, concrete(endpoint.path))]).toEqual([
        endpoint.method,
        endpoint.path
      ])
    }
  })

  it("ids and keys stay out of the label, authenticated or not", async () => {
    expect(await labelOf("GET", "/api/v1/orders/shop-de:1001/events")).toBe("/api/v1/orders/:orderKey/events")
    expect(await labelOf("GET", "/api/v1/orders/shop-de:1002?x=1")).toBe("/api/v1/orders/:orderKey")
    expect(await labelOf("POST", "/webhooks/shop-de")).toBe("/webhooks/:sourceId")
  })

  it("routes beside the API (docs and console assets, console pages) get their templates", async () => {
    expect(await labelOf("GET", "/docs/assets/swagger-ui-bundle.js")).toBe("/docs/assets/:file")
    expect(await labelOf("GET", "/console")).toBe("/console")
    expect(await labelOf("GET", "/console/order?key=shop-de%3A1001")).toBe("/console/*")
    expect(await labelOf("GET", "/console/assets/app-ABC123.js")).toBe("/console/assets/:file")
  })

  it("a request no route matches is counted as one bounded value", async () => {
    const labels = new Set<string>()
    for (const path of ["/whatever/else", "/api/v1/orders/a/b/c", "/api/v1/nothing-123", "/", "/healthz/x"])
      labels.add(await labelOf("GET", path))
    labels.add(await labelOf("DELETE", "/healthz"))
    expect([...labels]).toEqual([UNMATCHED])
  })
})

describe("the server's own request listener, in front of the router", () => {
  it("refuses a NUL byte before any route, counted as refused", async () => {
    const before = await counted({ route: "refused", method: "GET", status: "400" })
    const res = await rawRequest(baseUrl, rawText("GET", "/api/v1/orders/x%00"))
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ error: "bad_request" })
    expect(await counted({ route: "refused", method: "GET", status: "400" })).toBe(before + 1)
  })

  it("answers a request asking for a protocol upgrade like any other (the API has no WebSocket)", async () => {
    const upgrade = (target: string) =>
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    const before = await counted({ route: "/docs/assets/:file", method: "GET", status: "404" })
    const res = await rawRequest(baseUrl, upgrade("/docs/assets/nothing.js"))
    expect(res.status).toBe(404)
    expect(JSON.parse(res.body)).toMatchObject({ error: "not_found" })
    expect(await counted({ route: "/docs/assets/:file", method: "GET", status: "404" })).toBe(before + 1)
    const refused = await rawRequest(baseUrl, upgrade("/docs%00"))
    expect(refused.status).toBe(400)
    expect(JSON.parse(refused.body)).toMatchObject({ error: "bad_request" })
  })
})
