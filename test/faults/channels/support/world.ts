// The service with its worker, in this process, sending to fake partners on loopback that misbehave
// per order as a scenario says: an affiliate postback endpoint, Meta's Graph API, Google's Data
// Manager (and its OAuth endpoint) and Slack. Every request is recorded with the order it concerns
// and what it was answered, so a scenario can count at the fakes: requests per order, requests a
// partner processed (answered 2xx), and Slack messages per alert.
import * as fs from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import type { Sql } from "../../../../src/db/Db.js"
import { onCleanup } from "../../../support/cleanup.js"
import { appSql } from "../../../support/db.js"
import { eventually } from "../../../support/fakeServer.js"
import { type RunningService, startService } from "../../../support/service.js"
import { post, shopifyHeaders, stripeHeaders } from "../../../support/signers.js"

export interface Hit {
  /** The platform order id the request is about (postback ref, Meta order_id, Google transactionId). */
  readonly order: string
  readonly body: string
  readonly url: string
  /** When it had arrived (ms). */
  readonly at: number
  /** The status answered, once answered; undefined: never answered (hung up). */
  status?: number
  answeredAt?: number
}

/** What to do with a request: answer (after a delay), or hold it and hang up after `hangMs`. */
export type Behaviour =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly hangMs: number }

export interface Fake {
  readonly url: string
  readonly hits: Array<Hit>
  /** Requests about this order; `processed`: only those answered 2xx. */
  readonly about: (order: string, processed?: boolean) => ReadonlyArray<Hit>
}

const fake = async (
  orderOf: (req: IncomingMessage, body: string) => string,
  decide: (order: string, nth: number) => Behaviour
): Promise<Fake> => {
  const hits: Array<Hit> = []
  const sockets = new Set<Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      const order = orderOf(req, body)
      const nth = hits.filter((h) => h.order === order).length
      const hit: Hit = { order, body, url: req.url ?? "", at: Date.now() }
      hits.push(hit)
      const b = decide(order, nth)
      if ("hangMs" in b) {
        // A partner that never answers this one (and so never processed it): the caller gives up.
        setTimeout(() => req.socket.destroy(), b.hangMs)
        return
      }
      res.writeHead(b.status, { "content-type": "application/json", ...b.headers })
      res.end(b.body ?? "{}")
      hit.status = b.status
      hit.answeredAt = Date.now()
    })
  })
  server.on("connection", (s) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  onCleanup(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((r) => server.close(r))
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    about: (order, processed = false) =>
      hits.filter((h) => h.order === order && (!processed || (h.status !== undefined && h.status < 300)))
  }
}

export interface Slack {
  readonly messages: Array<{ readonly text: string; readonly blocks: string }>
}

export interface World {
  readonly service: RunningService
  readonly sql: Sql
  readonly postback: Fake
  readonly meta: Fake
  readonly google: Fake
  readonly slack: Slack
  /** Posts the Shopify order `id` (paid, with an Awin click id) as delivery `deliveryId`; returns the status. */
  readonly deliver: (id: number, deliveryId?: string, options?: OrderOptions) => Promise<number>
  /** Posts a Stripe checkout.session.completed (paid) naming the Shopify order `id` as event `eventId`. */
  readonly deliverPayment: (id: number, eventId: string) => Promise<number>
  readonly types: (orderKey: string) => Promise<ReadonlyArray<string>>
  readonly eventsOf: (orderKey: string, type: string) => Promise<ReadonlyArray<Record<string, unknown>>>
  /** One value of /metrics (0 when absent). */
  readonly metric: (name: string, labels: Record<string, string>) => Promise<number>
}

const SECRET = "shpss_faults_channels"
const STRIPE_SECRET = "whsec_faults_channels"
const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

export interface OrderOptions {
  /** orders/create of an order not paid yet (financial_status pending). */
  readonly pending?: boolean
  /** Minutes after placement of the platform's updated_at (a later snapshot of the same order). */
  readonly updatedAfterMin?: number
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00")

/** An order placed 8 hours ago (Google wants clicks older than 6 h, Meta events newer than 7 days). */
export const shopifyOrder = (id: number, options: OrderOptions = {}) => {
  const placed = new Date(Date.now() - 8 * 3_600_000)
  const at = isoSeconds(placed)
  return JSON.stringify({
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    created_at: at,
    processed_at: at,
    updated_at: isoSeconds(new Date(placed.getTime() + (options.updatedAfterMin ?? 0) * 60_000)),
    ...(options.pending ? { financial_status: "pending" } : {}),
    landing_site: `/products/vitamin-d3?awc=1001_${id}_x&gclid=Cj0KCQiA${id}wcB&utm_source=awin`
  })
}

const stripeFixture = JSON.parse(
  fs.readFileSync("test/fixtures/stripe/checkout-session-completed-shop-order.json", "utf8")
) as { data: { object: Record<string, unknown> } }

/** Stripe's payment for the shop's order `id` (metadata.order_id), in EUR, an hour after it was placed. */
export const stripePayment = (id: number, eventId: string) => {
  const at = Math.floor((Date.now() - 7 * 3_600_000) / 1000)
  return JSON.stringify({
    ...stripeFixture,
    id: eventId,
    created: at,
    data: {
      object: {
        ...stripeFixture.data.object,
        id: `cs_live_${id}`,
        payment_intent: `pi_${id}`,
        created: at,
        currency: "eur",
        amount_total: 6326,
        metadata: { order_id: String(id) }
      }
    }
  })
}

export const startWorld = async (behaviour: {
  readonly postback: (order: string, nth: number) => Behaviour
  readonly meta: (order: string, nth: number) => Behaviour
  readonly google: (order: string, nth: number) => Behaviour
}): Promise<World> => {
  const ok = (body: string): Behaviour => ({ status: 200, body })
  const postback = await fake(
    (req) => new URL(req.url ?? "/", "http://x").searchParams.get("ref") ?? "?",
    behaviour.postback
  )
  const meta = await fake(
    (_, body) =>
      (JSON.parse(body) as { data: Array<{ custom_data: { order_id: string } }> }).data[0]!.custom_data.order_id,
    (order, nth) => {
      const b = behaviour.meta(order, nth)
      return "status" in b && b.status === 200 ? ok('{"events_received":1,"fbtrace_id":"f"}') : b
    }
  )
  const google = await fake(
    (_, body) => (JSON.parse(body) as { events: Array<{ transactionId: string }> }).events[0]!.transactionId,
    (order, nth) => {
      const b = behaviour.google(order, nth)
      return "status" in b && b.status === 200 ? ok('{"requestId":"r"}') : b
    }
  )
  const oauth = await fake(
    () => "token",
    () => ok(JSON.stringify({ access_token: "ya29.faults", expires_in: 3599, token_type: "Bearer" }))
  )
  const slack: Slack = { messages: [] }
  const slackServer = await fake(
    (_, body) => {
      const form = new URLSearchParams(body)
      slack.messages.push({ text: form.get("text") ?? "", blocks: form.get("blocks") ?? "" })
      return "slack"
    },
    () => ok(JSON.stringify({ ok: true, channel: "C0FAULTS", ts: "1773136800.000100" }))
  )
  const service = await startService({
    worker: true,
    env: {
      F_SHOPIFY: SECRET,
      F_STRIPE: STRIPE_SECRET,
      F_META_TOKEN: "EAAB-faults",
      F_SLACK_TOKEN: "xoxb-faults",
      F_GOOGLE: JSON.stringify({ type: "authorized_user", client_id: "c", client_secret: "s", refresh_token: "r" }),
      META_GRAPH_URL: meta.url,
      GOOGLE_DATA_MANAGER_URL: google.url,
      GOOGLE_OAUTH_TOKEN_URL: `${oauth.url}/token`,
      SLACK_API_URL: `${slackServer.url}/api/`
    },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:F_SHOPIFY }
  - { id: stripe-eu, kind: stripe, company: acme, secret: env:F_STRIPE, ordersOf: shop-de }
partners:
  - { id: awin, when: [awc] }
targets:
  - id: awin
    channel: postback
    url: "${postback.url}/sale?ref={order_id}&cks={click_id}&amount={amount}"
    clickId: awc
    timeout: 1s
    retry: { initialDelay: 200ms, maxDelay: 400ms, maxAttempts: 3 }
  - id: meta
    channel: meta-capi
    pixelId: "112233"
    accessToken: env:F_META_TOKEN
    eventSourceUrl: "https://www.acme-vitamins.com/"
    timeout: 1s
    retry: { initialDelay: 200ms, maxDelay: 400ms, maxAttempts: 3 }
  - id: google
    channel: google-ads
    customerId: "1234567890"
    conversionActionId: "987654321"
    credentials: env:F_GOOGLE
    defaultConsent: granted
    timeout: 1s
    retry: { initialDelay: 200ms, maxDelay: 400ms, maxAttempts: 3 }
rules:
  - { id: to-awin, company: "*", product: "*", partner: "*", target: awin }
  - { id: to-meta, company: "*", product: "*", partner: "*", target: meta }
  - { id: to-google, company: "*", product: "*", partner: "*", target: google }
alerts:
  slack: { token: env:F_SLACK_TOKEN, channel: "#faults" }
`
  })
  const sql = appSql(service.databaseUrl)
  return {
    service,
    sql,
    postback,
    meta,
    google,
    slack,
    deliver: async (id, deliveryId = `d-${id}`, options = {}) => {
      const body = shopifyOrder(id, options)
      const res = await post(
        `${service.baseUrl}/webhooks/shop-de`,
        body,
        shopifyHeaders(body, SECRET, {
          "x-shopify-webhook-id": deliveryId,
          "x-shopify-topic": options.pending ? "orders/create" : "orders/paid"
        })
      )
      return res.status
    },
    deliverPayment: async (id, eventId) => {
      const body = stripePayment(id, eventId)
      return (await post(`${service.baseUrl}/webhooks/stripe-eu`, body, stripeHeaders(body, STRIPE_SECRET))).status
    },
    types: async (orderKey) =>
      (
        await sql<Array<{ type: string }>>`
          select type from events where stream_id = ${`order-${orderKey}`} order by stream_version`
      ).map((r) => r.type),
    eventsOf: async (orderKey, type) =>
      (
        await sql<Array<{ data: Record<string, unknown> }>>`
          select data from events where stream_id = ${`order-${orderKey}`} and type = ${type} order by stream_version`
      ).map((r) => r.data),
    metric: async (name, labels) => {
      const text = await (await fetch(`${service.baseUrl}/metrics`)).text()
      const want = Object.entries(labels)
      for (const line of text.split("\n")) {
        const m = /^([a-z0-9_]+)\{([^}]*)\} ([0-9.e+-]+)$/.exec(line)
        if (!m || m[1] !== name) continue
        const have = new Map([...m[2]!.matchAll(/([a-z0-9_]+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]))
        if (want.every(([k, v]) => have.get(k) === v)) return Number(m[3])
      }
      return 0
    }
  }
}

/** Where one dispatch of an order ended, as the conversions view and the log say. */
export type Settled = "succeeded" | "held" | "dead_lettered" | "failed" | "skipped"

/** Waits until every target of the order has settled, and returns each target's end state. */
export const settled = (world: World, orderKey: string, targets: ReadonlyArray<string>, timeoutMs = 30_000) =>
  eventually(async () => {
    const rows = await world.sql<Array<{ target: string; type: string; retryable: string | null }>>`
      select data->>'targetId' as target, type, data->>'retryable' as retryable from events
      where stream_id = ${`order-${orderKey}`}
        and type in ('DispatchSucceeded', 'DispatchHeld', 'DispatchDeadLettered', 'DispatchFailed', 'DispatchSkipped', 'DispatchAttemptStarted', 'DispatchRequested')
      order by stream_version`
    const last = new Map<string, Settled | undefined>()
    for (const r of rows) {
      const state =
        r.type === "DispatchSucceeded"
          ? "succeeded"
          : r.type === "DispatchHeld"
            ? "held"
            : r.type === "DispatchDeadLettered"
              ? "dead_lettered"
              : r.type === "DispatchSkipped"
                ? "skipped"
                : undefined
      // A retryable failure, an intent or a request is not an end; a permanent failure is.
      last.set(r.target, state ?? (r.type === "DispatchFailed" && r.retryable === "false" ? "failed" : undefined))
    }
    const done = targets.every((t) => last.get(t) !== undefined)
    return done ? Object.fromEntries(targets.map((t) => [t, last.get(t)!])) : undefined
  }, timeoutMs)
