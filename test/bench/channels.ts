// Channel calls: 1,000 dispatches per channel against a loopback server that answers at once, sent as
// 1,000 single sends (8 at a time, the dispatcher's default per-target concurrency) and as one
// sendBatch of 1,000 (Meta: one request of 1,000 events; Data Manager: one of 1,000; postbacks:
// concurrent, 8 per host, kept alive). The single sends are the baseline, measured in the same run.
// No database: the figure is the channel layer's own cost (CPU of this process, requests on the wire).
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { ConfigProvider, Effect } from "effect"
import { SecretsTest } from "../../src/config/Secrets.js"
import { type ChannelAdapter, type DispatchInput, sendMany } from "../../src/dispatch/Channel.js"
import { makeGoogleAdsChannel } from "../../src/dispatch/channels/google-ads/GoogleAdsChannel.js"
import { MetaChannel } from "../../src/dispatch/channels/meta/MetaChannel.js"
import { PostbackChannel } from "../../src/dispatch/channels/postback/index.js"
import type { CanonicalOrder } from "../../src/events/CanonicalOrder.js"
import type { Target } from "../../src/events/configSchema.js"
import { note, record } from "./support.js"

const EVENTS = 1000
const SINGLE_CONCURRENCY = 8

const order = (i: number, placed: Date): CanonicalOrder => ({
  orderKey: `bench:${i}`,
  sourceId: "bench",
  platform: "shopify",
  platformOrderId: String(100000 + i),
  orderNumber: `#${i}`,
  company: "acme",
  market: "DE",
  products: ["vitamins"],
  partner: "awin",
  status: "paid",
  value: { amountMinor: 4990, currency: "EUR" },
  refundedMinor: 0,
  lineItems: [
    { productId: "p1", sku: "VIT-D3", name: "Vitamin D3", quantity: 2, priceMinor: 2495, product: "vitamins" }
  ],
  customer: {
    email: `buyer${i}@example.de`,
    phone: "0151 23456789",
    firstName: "Anna",
    lastName: "Müller",
    country: "DE"
  },
  placedAt: placed.toISOString(),
  paidAt: placed.toISOString(),
  clientIp: "203.0.113.7",
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
  consent: { adUserData: "granted", adPersonalization: "granted" },
  tracking: {
    gclid: `Cj0KCQjw_bench-GCLID_${i}`,
    fbclid: `IwAR2xYzAbCdEf-bench_${i}`,
    clickIds: { awc: `1001_1740000000_${i}` },
    utm: {},
    landingUrl: "https://shop.example/products/vitamin-d3"
  },
  tags: [],
  test: false
})

/** Answers every request at once: Graph's events_received, Data Manager's requestId, a token, "OK". */
const startServer = async () => {
  let requests = 0
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      requests++
      const url = req.url ?? ""
      const body = Buffer.concat(chunks).toString("utf8")
      const reply = url.startsWith("/token")
        ? { access_token: "ya29.bench", expires_in: 3599 }
        : url.includes("/events?")
          ? { events_received: (JSON.parse(body) as { data: Array<unknown> }).data.length, fbtrace_id: "b" }
          : url.startsWith("/v1/events:ingest")
            ? { requestId: "bench" }
            : "OK"
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply))
    })
  })
  // Idle connections stay open through the run: Node's 5 s default can close one just as the client
  // reuses it (ECONNRESET), which would measure that race instead of the channel.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const time = async <A>(run: () => Promise<A>) => {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await run()
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { result, ms, cpuMs: (used.user + used.system) / 1000 }
}

export const channelsBench = async () => {
  const server = await startServer()
  const env = new Map([
    ["META_TOKEN", "EAAB-bench-token"],
    ["GOOGLE_CREDS", JSON.stringify({ client_id: "id", client_secret: "secret", refresh_token: "refresh" })],
    ["META_GRAPH_URL", server.origin],
    ["GOOGLE_DATA_MANAGER_URL", server.origin],
    ["GOOGLE_OAUTH_TOKEN_URL", `${server.origin}/token`]
  ])
  const runEffect = <A>(effect: Effect.Effect<A, never, import("../../src/config/Secrets.js").Secrets>) =>
    Effect.runPromise(
      effect.pipe(
        Effect.provide(SecretsTest(Object.fromEntries(env))),
        Effect.withConfigProvider(ConfigProvider.fromMap(env))
      )
    )
  const google = await Effect.runPromise(makeGoogleAdsChannel())
  const targets: ReadonlyArray<readonly [string, ChannelAdapter, Target]> = [
    [
      "meta-capi",
      MetaChannel as unknown as ChannelAdapter,
      { id: "meta", channel: "meta-capi", enabled: true, pixelId: "123", accessToken: "env:META_TOKEN" } as Target
    ],
    [
      "google-ads data-manager",
      google as unknown as ChannelAdapter,
      {
        id: "google",
        channel: "google-ads",
        enabled: true,
        api: "data-manager",
        customerId: "1234567890",
        conversionActionId: "987654321",
        credentials: "env:GOOGLE_CREDS"
      } as Target
    ],
    [
      "postback",
      PostbackChannel as unknown as ChannelAdapter,
      {
        id: "awin",
        channel: "postback",
        enabled: true,
        method: "GET",
        url: `${server.origin}/track?cks={click_id}&ref={order_id}&amount={amount}`
      } as Target
    ]
  ]
  const now = new Date()
  const placed = new Date(now.getTime() - 24 * 3_600_000)
  try {
    for (const [name, adapter, target] of targets) {
      const inputs: Array<DispatchInput> = Array.from({ length: EVENTS }, (_, i) => ({
        order: order(i, placed),
        target,
        kind: "conversion",
        attempt: 1,
        now
      }))
      const singles = { ...adapter, sendBatch: undefined }
      // Warm-up: connections, the token cache, JIT.
      await runEffect(sendMany(adapter, inputs.slice(0, 20)))
      const before = server.requests()
      const single = await time(() => runEffect(sendMany(singles, inputs)))
      const singleRequests = server.requests() - before
      const batch = await time(() => runEffect(sendMany(adapter, inputs)))
      const batchRequests = server.requests() - before - singleRequests
      const failed = [...single.result, ...batch.result].filter((o) => o._tag === "Left").length
      if (failed > 0) {
        const first = [...single.result, ...batch.result].find((o) => o._tag === "Left")
        throw new Error(
          `channels bench: ${failed} ${name} dispatches failed: ${first?._tag === "Left" ? first.left.message : ""}`
        )
      }
      const singleRate = EVENTS / (single.ms / 1000)
      const batchRate = EVENTS / (batch.ms / 1000)
      record({
        benchmark: "channels",
        case: `${name}: 1,000 single sends, ${SINGLE_CONCURRENCY} at a time`,
        value: singleRate,
        unit: "events/s"
      })
      record({
        benchmark: "channels",
        case: `${name}: one sendBatch of 1,000`,
        value: batchRate,
        unit: "events/s",
        baseline: singleRate,
        ratio: batchRate / singleRate
      })
      note(
        "channels",
        `${name}: single ${singleRequests} requests, ${Math.round(single.ms)} ms, ${Math.round(single.cpuMs)} ms CPU; ` +
          `batch ${batchRequests} requests, ${Math.round(batch.ms)} ms, ${Math.round(batch.cpuMs)} ms CPU`
      )
    }
  } finally {
    await server.close()
  }
}
