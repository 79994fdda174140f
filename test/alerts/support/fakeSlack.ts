// A fake Slack Web API on loopback: records each request as it arrived (method, path, headers, the
// form-encoded fields @slack/web-api sends) and answers from the test's handler.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"

export interface SlackRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The form fields, in the order sent. */
  readonly form: ReadonlyArray<readonly [string, string]>
}

export interface SlackReply {
  readonly status?: number
  readonly headers?: Record<string, string>
  readonly body?: unknown
  /** Never answer (for timeouts). */
  readonly hang?: boolean
}

export interface FakeSlack {
  /** Base URL like Slack's own: http://127.0.0.1:PORT/api/ */
  readonly apiUrl: string
  readonly requests: Array<SlackRequest>
}

export const okReply = (channel = "C0123TRACK", ts = "1773136800.000100"): SlackReply => ({
  body: { ok: true, channel, ts, message: { text: "..." } }
})

const listen = (server: Server) =>
  Effect.async<number>((resume) => {
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
  })

const close = (server: Server) =>
  Effect.async<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

export const withFakeSlack = <A, E, R>(
  handler: (request: SlackRequest, index: number) => SlackReply,
  use: (slack: FakeSlack) => Effect.Effect<A, E, R>
) =>
  Effect.acquireUseRelease(
    Effect.suspend(() => {
      const requests: Array<SlackRequest> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8")
          const request: SlackRequest = {
            method: req.method ?? "",
            path: req.url ?? "",
            headers: req.headers,
            body,
            form: [...new URLSearchParams(body)]
          }
          requests.push(request)
          const reply = handler(request, requests.length - 1)
          if (reply.hang === true) return
          res.writeHead(reply.status ?? 200, { "content-type": "application/json; charset=utf-8", ...reply.headers })
          res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {}))
        })
      })
      return listen(server).pipe(
        Effect.map((port) => ({ server, slack: { apiUrl: `http://127.0.0.1:${port}/api/`, requests } }))
      )
    }),
    ({ slack }) => use(slack),
    ({ server }) => close(server)
  )

/** A loopback port nothing listens on: bind, note the port, close. */
export const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})
