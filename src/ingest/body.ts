// Reads a request body up to a limit, from the stream: a body over the limit is refused as soon as
// it crosses it (or at once from Content-Length), never buffered whole.

import { isUtf8 } from "node:buffer"
import { createHash } from "node:crypto"
import type { IncomingMessage } from "node:http"
import type { RawBody } from "../events/webhook.js"

export const MAX_BODY_BYTES = 1024 * 1024

export type BodyRead =
  | { readonly _tag: "Body"; readonly bytes: Buffer }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Aborted" }

export const readBody = (req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyRead> => {
  const declared = Number(req.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.resolve({ _tag: "TooLarge" })
  }
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let done = false
    const finish = (result: BodyRead) => {
      if (done) return
      done = true
      req.off("data", onData)
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        chunks.length = 0
        // Keep draining (discarding) so the 413 can still be written on this connection.
        req.resume()
        finish({ _tag: "TooLarge" })
        return
      }
      chunks.push(chunk)
    }
    req.on("data", onData)
    req.once("end", () =>
      finish({ _tag: "Body", bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) })
    )
    req.once("error", () => finish({ _tag: "Aborted" }))
    req.once("aborted", () => finish({ _tag: "Aborted" }))
  })
}

/** The exact bytes as an event field: text when it is valid UTF-8 without NUL (jsonb cannot hold \u0000). */
export const rawBody = (bytes: Buffer): RawBody => {
  const sha256 = createHash("sha256").update(bytes).digest("hex")
  return isUtf8(bytes) && !bytes.includes(0)
    ? { encoding: "utf8", text: bytes.toString("utf8"), sha256, bytes: bytes.length }
    : { encoding: "base64", text: bytes.toString("base64"), sha256, bytes: bytes.length }
}

export const bodyBytes = (body: RawBody): Buffer => Buffer.from(body.text, body.encoding === "utf8" ? "utf8" : "base64")
