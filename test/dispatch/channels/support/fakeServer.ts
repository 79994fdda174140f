// A fake HTTP destination on loopback: records every request exactly as it arrived and answers from a
// per-test handler, so channel tests assert on real bytes on a real socket.
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"

export interface Received {
  readonly method: string
  /** Path and query, as sent. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: unknown
}

export interface FakeServer {
  readonly url: string
  readonly requests: Array<Received>
  readonly json: (index: number) => unknown
}

export type Handler = (request: Received, index: number) => Reply

/** Starts a server for the scope of the effect; the handler sees each request and its position. */
export const withFakeServer = <A, E, R>(handler: Handler, use: (server: FakeServer) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: ReturnType<typeof createServer>; fake: FakeServer }>((resume) => {
      const requests: Array<Received> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const received = {
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          requests.push(received)
          const reply = handler(received, requests.length - 1)
          res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
          res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {}))
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(
          Effect.succeed({
            server,
            fake: {
              url: `http://127.0.0.1:${port}`,
              requests,
              json: (i) => JSON.parse(requests[i]?.body ?? "null")
            }
          })
        )
      })
    }),
    ({ fake }) => use(fake),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
