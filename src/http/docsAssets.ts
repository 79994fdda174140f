// /docs in a browser: Swagger UI from the swagger-ui-dist package (a dependency), served by the service
// itself, so the API documentation works without internet. The files are read and gzipped on first
// request (the bundle is 1.8 MB, 0.5 MB gzipped) and kept; they change only with the package.
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import { errorResponse } from "../api/errors.js"
import { type Asset, assetResponse, makeAsset } from "../lib/staticAsset.js"

const INIT = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/docs?format=json", dom_id: "#ui", deepLinking: true })
})
`

export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>s2s API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/init.js"></script>
</body></html>
`

const FILES = ["swagger-ui.css", "swagger-ui-bundle.js"] as const

const swaggerDir = () => dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"))

const cache = new Map<string, Asset>()

const assetOf = (file: string): Asset | undefined => {
  const hit = cache.get(file)
  if (hit !== undefined) return hit
  let asset: Asset | undefined
  if (file === "init.js") asset = makeAsset(file, new TextEncoder().encode(INIT))
  else if ((FILES as ReadonlyArray<string>).includes(file)) {
    const path = join(swaggerDir(), file)
    asset = existsSync(path) ? makeAsset(file, readFileSync(path)) : undefined
  }
  if (asset !== undefined) cache.set(file, asset)
  return asset
}

export const DocsAssetsLive = HttpApiBuilder.Router.use((router) =>
  router.get(
    "/docs/assets/:file",
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const file = request.url.split("?")[0]?.slice("/docs/assets/".length) ?? ""
      const asset = assetOf(file)
      return asset === undefined
        ? errorResponse(404, "not_found", `no documentation asset ${file}`)
        : assetResponse(request, asset, "public, max-age=86400")
    })
  )
)
