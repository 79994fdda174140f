// The load: signed ~1 KB Shopify orders/paid webhooks, posted over keep-alive connections (an undici
// Pool) either closed-loop (N clients, each sends when its previous request came back) or open-loop
// (a fixed rate); the s2s.yaml the benchmarks run with; and fake destinations (Graph API, Google OAuth
// token endpoint, Data Manager, an affiliate postback) on loopback that answer at once.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Pool } from "undici"
import { shopifyHeaders } from "../support/signers.js"
import { sleep } from "./support.js"

export const SOURCE_ID = "shop-bench"
export const SHOPIFY_SECRET = "shpss_bench_secret"

/** Environment the service needs for the config below (secrets are env references). */
export const serviceEnv = (fake?: FakeDestinations): Record<string, string> => ({
  BENCH_SHOPIFY_SECRET: SHOPIFY_SECRET,
  ...(fake === undefined
    ? {}
    : {
        BENCH_META_TOKEN: "EAAB-bench-token",
        BENCH_GOOGLE_CREDENTIALS: JSON.stringify({
          type: "authorized_user",
          client_id: "bench-client.apps.googleusercontent.com",
          client_secret: "bench-client-secret",
          refresh_token: "1//bench-refresh-token"
        }),
        META_GRAPH_URL: fake.url,
        GOOGLE_DATA_MANAGER_URL: fake.url,
        GOOGLE_OAUTH_TOKEN_URL: `${fake.url}/token`
      })
})

const SOURCE = `sources:
  - { id: ${SOURCE_ID}, kind: shopify, company: acme, market: DE, secret: env:BENCH_SHOPIFY_SECRET }
`

/** Ingest only: one Shopify source. */
export const ingestConfig = SOURCE

/** The pipeline: every paid order (gclid, fbc and awc) goes to Google (Data Manager), Meta and a postback. */
export const pipelineConfig = (fake: FakeDestinations) => `${SOURCE}products:
  - { match: { sku: "VIT-*" }, product: vitamins }
partners:
  - { id: google, when: [gclid] }
  - { id: meta, when: [fbc] }
  - { id: awin, when: [awc] }
targets:
  - id: google-bench
    channel: google-ads
    api: data-manager
    customerId: "1234567890"
    conversionActionId: "987654321"
    credentials: env:BENCH_GOOGLE_CREDENTIALS
    defaultConsent: granted
  - id: meta-bench
    channel: meta-capi
    pixelId: "1234567890"
    accessToken: env:BENCH_META_TOKEN
  - id: awin-bench
    channel: postback
    method: GET
    url: "${fake.url}/sread.php?tt=ss&merchant=1001&amount={amount}&cr={currency}&ref={order_id}&cks={click_id}"
    clickId: awc
rules:
  - { id: google-all, company: "*", product: "*", partner: "*", target: google-bench }
  - { id: meta-all, company: "*", product: "*", partner: "*", target: meta-bench }
  - { id: awin-all, company: "*", product: "*", partner: "*", target: awin-bench }
`

const SEVEN_HOURS_MS = 7 * 60 * 60 * 1000

/**
 * A paid Shopify order of about 1 KB, with a gclid and an awc in the landing URL and an _fbc cookie in
 * the note attributes. Created 7 h ago by default, so Google (6 h click maturity) does not hold it and
 * Meta (7-day window) takes it.
 */
export const orderBody = (id: number, createdAt = new Date(Date.now() - SEVEN_HOURS_MS)) => {
  const at = createdAt.toISOString()
  const clickMs = createdAt.getTime() - 120_000
  return JSON.stringify({
    id,
    name: `#${id}`,
    order_number: id,
    email: `customer${id}@example.de`,
    created_at: at,
    processed_at: at,
    currency: "EUR",
    total_price: "63.26",
    total_price_set: {
      shop_money: { amount: "63.26", currency_code: "EUR" },
      presentment_money: { amount: "63.26", currency_code: "EUR" }
    },
    financial_status: "paid",
    test: false,
    buyer_accepts_marketing: true,
    landing_site: `/products/vitamin-d3?gclid=Cj0KCQiAgJa6BhCOARIsAMiL7V8x${id}&awc=1001_${Math.floor(clickMs / 1000)}_${id}&utm_source=google&utm_medium=cpc`,
    client_details: {
      browser_ip: "203.0.113.42",
      user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"
    },
    note_attributes: [{ name: "_fbc", value: `fb.1.${clickMs}.IwAR2xBench${id}` }],
    customer: { id: 7_012_345_000_000 + id, first_name: "Lena", last_name: "Müller" },
    billing_address: { city: "Berlin", zip: "10115", country_code: "DE", phone: "+49 151 23456789" },
    line_items: [
      {
        id: 1,
        product_id: 8_123_456_789_011,
        sku: "VIT-D3-1000",
        name: "Vitamin D3 1000 IU",
        quantity: 2,
        price: "19.95"
      },
      { id: 2, product_id: 8_123_456_789_012, sku: "VIT-OMG-60", name: "Omega-3 Capsules", quantity: 1, price: "24.95" }
    ]
  })
}

export interface SignedWebhook {
  readonly body: string
  readonly headers: Record<string, string>
}

/** A signed delivery; `webhookId` makes it a distinct webhook (X-Shopify-Webhook-Id). */
export const signed = (body: string, webhookId: string): SignedWebhook => ({
  body,
  headers: shopifyHeaders(body, SHOPIFY_SECRET, { "x-shopify-webhook-id": webhookId })
})

export const webhookPath = `/webhooks/${SOURCE_ID}`

/** Keep-alive connections to the service. */
export const webhookPool = (baseUrl: string, connections: number) =>
  new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 4_000 })

/** Posts one webhook; returns the status and the latency in ms. */
export const deliver = async (pool: Pool, webhook: SignedWebhook) => {
  const started = performance.now()
  const res = await pool.request({ path: webhookPath, method: "POST", headers: webhook.headers, body: webhook.body })
  const text = await res.body.text()
  return { status: res.statusCode, ms: performance.now() - started, text }
}

export interface DriveResult {
  readonly accepted: number
  readonly refused: number
  readonly latenciesMs: Array<number>
  readonly seconds: number
  /** Until the last request was sent (open loop: the schedule's length). */
  readonly sendSeconds: number
  readonly firstError: string | undefined
}

/** N clients, each posting the next webhook as soon as its previous one came back, until `until()` is true. */
export const closedLoop = async (
  pool: Pool,
  clients: number,
  next: (n: number) => SignedWebhook | undefined,
  until: () => boolean,
  onAccepted?: () => void
): Promise<DriveResult> => {
  const latenciesMs: Array<number> = []
  let accepted = 0
  let refused = 0
  let firstError: string | undefined
  let n = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        const webhook = next(n++)
        if (webhook === undefined) return
        const r = await deliver(pool, webhook).catch((e: unknown) => ({ status: 0, ms: 0, text: String(e) }))
        if (r.status === 202) {
          accepted++
          latenciesMs.push(r.ms)
          onAccepted?.()
        } else {
          refused++
          firstError ??= `HTTP ${r.status}: ${r.text.slice(0, 300)}`
        }
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  return { accepted, refused, latenciesMs, seconds, sendSeconds: seconds, firstError }
}

/** Posts `count` webhooks at a fixed rate (open loop: a slow answer does not delay the next send). */
export const openLoop = async (
  pool: Pool,
  ratePerSecond: number,
  count: number,
  next: (n: number) => SignedWebhook
): Promise<DriveResult> => {
  const latenciesMs: Array<number> = []
  let accepted = 0
  let refused = 0
  let firstError: string | undefined
  const started = performance.now()
  const inFlight = new Set<Promise<void>>()
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1000) / ratePerSecond
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    const p: Promise<void> = deliver(pool, next(n))
      .then(
        (r) => {
          if (r.status === 202) {
            accepted++
            latenciesMs.push(r.ms)
          } else {
            refused++
            firstError ??= `HTTP ${r.status}: ${r.text.slice(0, 300)}`
          }
        },
        (e: unknown) => {
          refused++
          firstError ??= String(e)
        }
      )
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  const sendSeconds = (performance.now() - started) / 1000
  await Promise.all(inFlight)
  return { accepted, refused, latenciesMs, seconds: (performance.now() - started) / 1000, sendSeconds, firstError }
}

// ---------------------------------------------------------------------------------------------------

export interface FakeDestinations {
  readonly url: string
  /** Requests answered, per destination. */
  readonly counts: { meta: number; google: number; token: number; postback: number; other: number }
  /** TCP connections accepted, per destination (by the first request on each). */
  readonly connections: { meta: number; google: number; token: number; postback: number; other: number }
  /** Dispatches answered (events: a Meta or Data Manager request carries many), not token exchanges. */
  readonly dispatched: () => number
  readonly close: () => Promise<void>
}

/** One loopback server for all destinations; answers at once with the success each API documents. */
export const fakeDestinations = async (): Promise<FakeDestinations> => {
  const counts = { meta: 0, google: 0, token: 0, postback: 0, other: 0 }
  const connections = { meta: 0, google: 0, token: 0, postback: 0, other: 0 }
  const seen = new WeakSet<object>()
  let requestId = 0
  // Dispatches answered: Meta and Data Manager take many events per request (batched dispatch).
  let events = 0
  const eventsIn = (body: string, field: "data" | "events") => {
    try {
      const list = (JSON.parse(body) as Record<string, unknown>)[field]
      return Array.isArray(list) ? list.length : 1
    } catch {
      return 1
    }
  }
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const url = req.url ?? ""
      const destination = url.startsWith("/token")
        ? "token"
        : url.startsWith("/v1/events:ingest")
          ? "google"
          : /^\/v\d+\.\d+\/\d+\/events/.test(url)
            ? "meta"
            : url.startsWith("/sread.php")
              ? "postback"
              : "other"
      if (!seen.has(req.socket)) {
        seen.add(req.socket)
        connections[destination]++
      }
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" })
        res.end(JSON.stringify(body))
      }
      counts[destination]++
      const body = destination === "meta" || destination === "google" ? Buffer.concat(chunks).toString("utf8") : ""
      switch (destination) {
        case "token":
          return json(200, { access_token: "ya29.bench-access-token", expires_in: 3599, token_type: "Bearer" })
        case "google":
          events += eventsIn(body, "events")
          return json(200, { requestId: `bench-${++requestId}` })
        case "meta": {
          const received = eventsIn(body, "data")
          events += received
          return json(200, { events_received: received, messages: [], fbtrace_id: "AbCdBench" })
        }
        case "postback":
          events++
          res.writeHead(200, { "content-type": "text/plain" })
          return res.end("OK")
        default:
          return json(404, { error: { message: `fake destinations: no route for ${url}` } })
      }
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    connections,
    dispatched: () => events,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
