// A fake destination on loopback: records every request and answers with what the test scripts.
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { onCleanup } from "./cleanup.js"
import { waitUntil } from "./wait.js"

export { eventually } from "./wait.js"

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
  /** When the request had fully arrived (Date.now()). */
  readonly at: number
}

export interface Reply {
  readonly status: number
  readonly body?: string
  readonly headers?: Record<string, string>
  readonly delayMs?: number
}

export interface FakeServer {
  readonly url: string
  readonly requests: Array<Recorded>
  /** Replies used in order, then `fallback`. */
  readonly script: (replies: ReadonlyArray<Reply>, fallback?: Reply) => void
  readonly waitFor: (count: number, timeoutMs?: number) => Promise<ReadonlyArray<Recorded>>
  /** How many answers were handed to the kernel (a delayed reply counts once it is sent). */
  readonly answered: () => number
  readonly close: () => Promise<void>
}

export const fakeServer = async (): Promise<FakeServer> => {
  const requests: Array<Recorded> = []
  let queue: Array<Reply> = []
  let fallback: Reply = { status: 200, body: "OK" }
  let answered = 0
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now()
      })
      const reply = queue.shift() ?? fallback
      const send = () => {
        res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers })
        res.end(reply.body ?? "", () => answered++)
      }
      if (reply.delayMs) setTimeout(send, reply.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  onCleanup(close)
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (replies, fb) => {
      queue = [...replies]
      if (fb) fallback = fb
    },
    waitFor: async (count, timeoutMs = 15_000) => {
      await waitUntil(
        `${count} requests`,
        () => requests.length >= count,
        timeoutMs,
        () => `got ${requests.length}`
      )
      return requests
    },
    answered: () => answered,
    close
  }
}
