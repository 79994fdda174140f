// GET /console and every page path under it (the browser code routes), and the built assets under
// /console/assets/. Paths under /console/api/ that no endpoint claims are JSON 404s, not the page.
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { errorResponse } from "../../api/errors.js"
import { assetResponse } from "../../lib/staticAsset.js"
import { type Bundle, loadBundle } from "./bundle.js"
import { notBuiltPage, SECURITY_HEADERS, shellPage } from "./page.js"

const IMMUTABLE = "public, max-age=31536000, immutable"

const page = (bundle: Bundle | undefined) => {
  const html = bundle === undefined ? notBuiltPage : shellPage(bundle)
  return Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
    request.url.startsWith("/console/api/")
      ? errorResponse(404, "not_found", `no route for ${request.method} ${request.url.split("?")[0]}`)
      : HttpServerResponse.text(html, {
          contentType: "text/html; charset=utf-8",
          status: bundle === undefined ? 503 : 200,
          headers: { ...SECURITY_HEADERS, "cache-control": "no-cache" }
        })
  )
}

export const ConsoleStaticLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const bundle = loadBundle()
    if (bundle === undefined) yield* Effect.logWarning("the console is not built (dist/console): run npm run build")
    yield* router.get("/console", page(bundle))
    yield* router.get("/console/*", page(bundle))
    yield* router.get(
      "/console/assets/:file",
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const file = decodeURIComponent(request.url.split("?")[0]?.slice("/console/assets/".length) ?? "")
        const asset = bundle?.assets.get(file)
        return asset === undefined
          ? errorResponse(404, "not_found", `no console asset ${file}`)
          : assetResponse(request, asset, IMMUTABLE)
      })
    )
  })
)
