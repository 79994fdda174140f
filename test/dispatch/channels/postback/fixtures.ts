// A real-shaped paid order and a loopback HTTP server that records every request it receives.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { CanonicalOrder } from "../../../../src/events/CanonicalOrder.js"
import type { PostbackTarget } from "../../../../src/events/configSchema.js"

export const baseOrder: CanonicalOrder = {
  orderKey: "shop-de:5001",
  sourceId: "shop-de",
  platform: "shopify",
  platformOrderId: "5001",
  orderNumber: "#1001",
  company: "acme",
  market: "DE",
  products: ["vitamins", "sample-kit"],
  partner: "awin",
  status: "paid",
  value: { amountMinor: 4990, currency: "EUR" },
  refundedMinor: 0,
  lineItems: [
    { sku: "VIT-100", quantity: 2, priceMinor: 1995, product: "vitamins" },
    { sku: "KIT:1|A", quantity: 1, priceMinor: 1000, product: "sample-kit" }
  ],
  customer: { email: "  Anna.Schmidt@Example.COM " },
  placedAt: "2026-03-01T10:00:00.000Z",
  paidAt: "2026-03-01T10:05:30.000Z",
  consent: {},
  tracking: {
    clickIds: { awc: "1001_1740000000_abc", sub1: "newsletter", aff_sub2: "hero banner" },
    utm: { source: "awin", medium: "affiliate", campaign: "spring sale" },
    coupon: "SPRING10"
  },
  tags: [],
  test: false
}

export const order = (patch: Partial<CanonicalOrder> = {}): CanonicalOrder => ({ ...baseOrder, ...patch })

export const tracking = (patch: Partial<CanonicalOrder["tracking"]>): CanonicalOrder => ({
  ...baseOrder,
  tracking: { ...baseOrder.tracking, ...patch }
})

export const target = (patch: Partial<PostbackTarget> = {}): PostbackTarget => ({
  id: "awin",
  channel: "postback",
  enabled: true,
  method: "GET",
  url: "http://127.0.0.1:1/track?cks={click_id}",
  ...patch
})

export const NOW = new Date("2026-03-02T08:00:00.000Z")

export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string
}

export interface FakeServer {
  readonly origin: string
  readonly requests: Array<ReceivedRequest>
  /** What the next requests get; "hang" never answers. */
  reply: Reply | "hang"
  readonly close: () => Promise<void>
}

export const startFakeServer = async (): Promise<FakeServer> => {
  const requests: Array<ReceivedRequest> = []
  const state: { reply: Reply | "hang" } = { reply: { status: 200, body: "OK" } }
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8")
      })
      const reply = state.reply
      if (reply === "hang") return
      res.writeHead(reply.status, reply.headers ?? {})
      res.end(reply.body ?? "")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get reply() {
      return state.reply
    },
    set reply(value) {
      state.reply = value
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
