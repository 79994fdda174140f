// Files the service serves itself (the console's build, Swagger UI): held in memory with their gzip
// form and an ETag; answered 304 to a browser that has them, gzipped when it accepts it.
import { createHash } from "node:crypto"
import { gzipSync } from "node:zlib"
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"

export interface Asset {
  readonly body: Uint8Array
  readonly gzip: Uint8Array
  readonly contentType: string
  readonly etag: string
}

const TYPES: Readonly<Record<string, string>> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json",
  svg: "image/svg+xml",
  png: "image/png"
}

export const contentTypeOf = (file: string) => TYPES[file.split(".").at(-1) ?? ""] ?? "application/octet-stream"

export const makeAsset = (file: string, body: Uint8Array): Asset => ({
  body,
  gzip: gzipSync(body, { level: 9 }),
  contentType: contentTypeOf(file),
  etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`
})

export const assetResponse = (request: HttpServerRequest.HttpServerRequest, asset: Asset, cacheControl: string) => {
  const headers = { etag: asset.etag, "cache-control": cacheControl, vary: "accept-encoding" }
  if (request.headers["if-none-match"] === asset.etag) return HttpServerResponse.empty({ status: 304, headers })
  const gzip = /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")
  return HttpServerResponse.uint8Array(gzip ? asset.gzip : asset.body, {
    contentType: asset.contentType,
    headers: gzip ? { ...headers, "content-encoding": "gzip" } : headers
  })
}
