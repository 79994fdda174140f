// Refusals made on the raw Node request, before any router or handler sees it, so that every route
// (the webhook fast path, the HttpApi router, paths no route knows) answers them the same way:
// - a NUL byte in the path or query (`%00`, or a raw NUL) is 400 with the JSON error shape: no
//   handler may pass one on (PostgreSQL text cannot hold it; file and log tooling truncate at it);
// - a request Node's parser refuses (a raw NUL or a space in the target, duplicate or conflicting
//   Content-Length / Transfer-Encoding, oversized headers, a header timeout) gets a JSON error too,
//   instead of Node's bare "400 Bad Request" without a body, and the connection is closed.
// Both are logged (method and route kind only, never the target itself), rate-limited per kind.
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import { httpRequests } from "../lib/metrics.js"

/** Percent-encoded or raw NUL anywhere in the request target. */
export const hasNul = (target: string): boolean => target.includes("%00") || target.includes("\u0000")

export const errorBody = (error: string, message: string) => JSON.stringify({ error, message })

const NUL_MESSAGE = "the request path or query contains a NUL byte (%00), which no s2s endpoint accepts"

export type GuardLog = (message: string, key: string) => void

/** The route kind for logs and metrics: the first path segment, never ids or keys. */
const kindOf = (target: string) => {
  const first = /^\/([a-z0-9]+)/i.exec(target)?.[1]?.toLowerCase()
  return first === undefined ? "other" : first === "api" ? "api" : first === "webhooks" ? "webhooks" : "other"
}

/** Answers a request whose target holds a NUL (true), or lets it through (false). */
export const refuseNul = (req: IncomingMessage, res: ServerResponse, log: GuardLog): boolean => {
  const target = req.url ?? ""
  if (!hasNul(target)) return false
  const kind = kindOf(target)
  log(`refused ${req.method ?? "?"} request to a /${kind} path: NUL byte in the path or query`, `nul:${kind}`)
  const body = errorBody("bad_request", NUL_MESSAGE)
  // The body is not read: close the connection after the answer rather than parse what follows.
  res.writeHead(400, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close"
  })
  res.end(body)
  req.resume()
  httpRequests.inc({ route: "refused", method: req.method ?? "?", status: "400" })
  return true
}

const writeRaw = (socket: Duplex, status: number, reason: string, body: string) => {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  )
}

/** What Node's parser refused, as our JSON error; codes from llhttp (HPE_*) and node:http. */
export const clientErrorAnswer = (
  code: string | undefined
): { readonly status: number; readonly reason: string; readonly error: string; readonly message: string } => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        reason: "Request Header Fields Too Large",
        error: "headers_too_large",
        message: "the request headers exceed 16 KiB"
      }
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "ERR_HTTP_HEADERS_TIMEOUT":
      return {
        status: 408,
        reason: "Request Timeout",
        error: "request_timeout",
        message: "the request was not received completely in time"
      }
    default:
      return {
        status: 400,
        reason: "Bad Request",
        error: "bad_request",
        message: "the request is not valid HTTP/1.1 (malformed request line, headers or framing)"
      }
  }
}

/** A `clientError` listener: a JSON answer when the socket can still take one, then close. */
export const onClientError =
  (log: GuardLog) =>
  (error: Error & { code?: string }, socket: Duplex): void => {
    // A peer that reset or half-closed the connection cannot read an answer.
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy()
      return
    }
    const answer = clientErrorAnswer(error.code)
    log(`refused a malformed request (${error.code ?? "unknown"}): answered ${answer.status}`, `client:${error.code}`)
    httpRequests.inc({ route: "refused", method: "?", status: String(answer.status) })
    writeRaw(socket, answer.status, answer.reason, errorBody(answer.error, answer.message))
  }
