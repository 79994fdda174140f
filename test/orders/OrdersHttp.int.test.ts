// The orders API through the real service: webhooks in, the worker normalizes, routes and dispatches
// (one postback answered 500 first, then 200), then the view, the log and the search are read back
// with audit, operate and admin tokens.
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { EventStore } from "../../src/events/EventStore.js"
import type { LoggedEvent, OrderLog } from "../../src/orders/log.js"
import type { OrderSearchResult } from "../../src/orders/summary.js"
import type { OrderView } from "../../src/orders/view.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"
import { appSql, dbLayer } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { createToken, deliver, getJson, RAW_PII, shopifyOrder } from "./support.js"

const SECRET = "shpss_orders_api"
let partner: FakeServer
let service: RunningService
let sql: Sql
let audit: string
let operate: string
let admin: string

const awin = "/products/vitamin-d3?awc=1001_1732871512_abc&utm_source=awin&utm_campaign=black friday"
const bodies = {
  "shop-de:1001": shopifyOrder({ id: 1001, createdAt: "2026-11-02T10:00:00+01:00", landing: awin }),
  "shop-de:1002": shopifyOrder({ id: 1002, createdAt: "2026-11-03T10:00:00+01:00", landing: "/?gclid=Cj0KCQiA1002" }),
  "shop-at:2001": shopifyOrder({ id: 2001, createdAt: "2026-11-04T10:00:00+01:00", landing: "/", bare: true }),
  "shop-de:1003": shopifyOrder({ id: 1003, createdAt: "2026-10-01T10:00:00+01:00", landing: awin })
}

const api = (path: string) => `${service.baseUrl}/api/v1${path}`
const typesOf = (events: ReadonlyArray<LoggedEvent>) => events.map((e) => e.type)
const stored = (orderKey: string) =>
  sql<Array<{ type: string }>>`select type from events where stream_id = ${`order-${orderKey}`} order by stream_version`
const projected = async (orderKey: string, dispatchState: string) => {
  const rows = await sql`select dispatch_state from conversions where order_key = ${orderKey}`
  return rows[0]?.dispatch_state === dispatchState ? true : undefined
}

beforeAll(async () => {
  partner = await fakeServer()
  partner.script([{ status: 500, body: "busy" }], { status: 200, body: "OK" })
  service = await startService({
    worker: true,
    env: { O_SHOPIFY_SECRET: SECRET },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:O_SHOPIFY_SECRET }
  - { id: shop-at, kind: shopify, company: beta, market: AT, secret: env:O_SHOPIFY_SECRET }
products:
  - { match: { sku: "VIT-*" }, product: vitamins }
partners:
  - { id: google, when: [gclid] }
  - { id: awin, when: [awc] }
targets:
  - id: awin
    channel: postback
    url: "${partner.url}/sread.php?ref={order_id}&amount={amount}&cks={click_id}"
    retry: { initialDelay: 100ms, maxAttempts: 3 }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: no-samples, company: "*", product: "sample-*", partner: "*", exclude: true }
`
  })
  sql = appSql(service.databaseUrl)
  ;[audit, operate, admin] = await Promise.all([
    createToken(service.databaseUrl, "audit"),
    createToken(service.databaseUrl, "operate"),
    createToken(service.databaseUrl, "admin")
  ])
  await deliver(service.baseUrl, "shop-de", SECRET, bodies["shop-de:1001"], "wh-1001")
  await deliver(service.baseUrl, "shop-de", SECRET, bodies["shop-de:1002"], "wh-1002")
  await deliver(service.baseUrl, "shop-at", SECRET, bodies["shop-at:2001"], "wh-2001")
  await eventually(async () =>
    (await stored("shop-de:1001")).some((e) => e.type === "DispatchSucceeded") ? true : undefined
  )
  // The same delivery again, after everything happened: recorded on the same webhook stream.
  expect((await deliver(service.baseUrl, "shop-de", SECRET, bodies["shop-de:1001"], "wh-1001")).duplicate).toBe(true)
  // An alert about the order, and an operator action covering two orders, as their stages record them.
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* EventStore
      yield* store.append("alert-missing_tracking:shop-de:1001", "no_stream", [
        {
          _tag: "AlertRaised",
          alertId: "missing_tracking:shop-de:1001",
          problem: "missing_tracking",
          groupKey: "acme|awin|black friday|missing_tracking",
          orderKey: "shop-de:1001",
          summary: "purchase by lena.mueller@example.de without a gclid",
          details: { email: "lena.mueller@example.de", campaign: "black friday" }
        },
        { _tag: "AlertSent", alertId: "missing_tracking:shop-de:1001", channel: "#alerts", occurrences: 1 }
      ])
      yield* store.append(
        "operator-redispatch-1",
        "no_stream",
        ["shop-de:1002", "shop-de:1001"].map((orderKey) => ({
          _tag: "DispatchRequested" as const,
          orderKey,
          targetId: "awin",
          kind: "conversion" as const,
          reason: "partner outage",
          actor: "cli:alice",
          force: false
        })),
        { metadata: { actor: "cli:alice" } }
      )
    }).pipe(Effect.provide(dbLayer(service.databaseUrl)))
  )
})

describe("GET /api/v1/orders/{orderKey}/events", () => {
  it("lists everything about the order oldest first: webhook, redelivery, normalization, plan, attempts, alert, operator", async () => {
    const { status, body } = await getJson<OrderLog>(api("/orders/shop-de:1001/events"), audit)
    expect(status).toBe(200)
    expect(body.orderKey).toBe("shop-de:1001")
    const positions = body.events.map((e) => e.position)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(typesOf(body.events)).toEqual([
      "WebhookReceived",
      "OrderNormalized",
      "PaymentUpdated",
      "DispatchPlanned",
      "WebhookNormalized",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchFailed",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchSucceeded",
      "WebhookDuplicateReceived",
      "AlertRaised",
      "AlertSent",
      "DispatchRequested"
    ])
    const streams = new Set(body.events.map((e) => e.streamId))
    expect(streams).toEqual(
      new Set([
        "webhook-" + String(body.events[0]!.data.webhookId),
        "order-shop-de:1001",
        "alert-missing_tracking:shop-de:1001",
        "operator-redispatch-1"
      ])
    )
    // Only the operator event about this order, not the one about 1002 in the same stream.
    expect(body.events.filter((e) => e.streamId === "operator-redispatch-1").map((e) => e.data.orderKey)).toEqual([
      "shop-de:1001"
    ])
    const attempts = body.events.filter((e) => e.type === "DispatchAttempted")
    const exchanges = attempts.map(
      (a) => (a.data.exchanges as Array<{ response: { status: number } }>)[0]!.response.status
    )
    expect(exchanges).toEqual([500, 200])
    expect(attempts[0]!.data.durationMs).toEqual(expect.any(Number))
    expect(body.events[0]).toMatchObject({
      streamId: expect.stringMatching(/^webhook-/),
      version: 1,
      metadata: expect.any(Object)
    })
    expect(Date.parse(body.events[0]!.recordedAt)).not.toBeNaN()
  })

  it("masks raw payloads and customer data for audit and operate, shows them to admin", async () => {
    for (const token of [audit, operate]) {
      const { body } = await getJson<OrderLog>(api("/orders/shop-de:1001/events"), token)
      expect(body.masked).toBe(true)
      const text = JSON.stringify(body)
      for (const pii of RAW_PII) expect(text).not.toContain(pii)
      const received = body.events.find((e) => e.type === "WebhookReceived")!.data as {
        body: { text: string; sha256: string }
      }
      const masked = JSON.parse(received.body.text) as Record<string, unknown>
      expect(masked).toMatchObject({ email: "l***@example.de", browser_ip: "203.0.*.*", total_price: "63.26" })
      expect(masked.billing_address).toMatchObject({
        first_name: "L***",
        address1: "H***",
        phone: "+49 *** ** 89",
        city: "Berlin"
      })
      const normalized = body.events.find((e) => e.type === "OrderNormalized")!.data as {
        order: { customer: Record<string, string>; clientIp: string; tracking: { clickIds: Record<string, string> } }
      }
      expect(normalized.order.customer).toMatchObject({ email: "l***@example.de", firstName: "L***", lastName: "M***" })
      expect(normalized.order.clientIp).toBe("203.0.*.*")
      expect(normalized.order.tracking.clickIds).toEqual({ awc: "1001_1732871512_abc" })
      const alert = body.events.find((e) => e.type === "AlertRaised")!.data
      expect(alert).toMatchObject({
        summary: "purchase by l***@example.de without a gclid",
        details: { email: "l***@example.de" }
      })
    }
    const { body } = await getJson<OrderLog>(api("/orders/shop-de:1001/events"), admin)
    expect(body.masked).toBe(false)
    const received = body.events.filter((e) => e.type === "WebhookReceived" || e.type === "WebhookDuplicateReceived")
    for (const e of received) expect((e.data as { body: { text: string } }).body.text).toBe(bodies["shop-de:1001"])
  })

  it("takes the order key literally or percent-encoded", async () => {
    const literal = await getJson<OrderLog>(api("/orders/shop-de:1001/events"), audit)
    const encoded = await getJson<OrderLog>(api("/orders/shop-de%3A1001/events"), audit)
    const lower = await getJson<OrderLog>(api("/orders/shop-de%3a1001/events"), audit)
    expect(encoded.status).toBe(200)
    expect(encoded.body).toEqual(literal.body)
    expect(lower.body).toEqual(literal.body)
  })

  it("answers 401 without a valid token, 403 to a valid ingest token and 404 for an unknown order", async () => {
    for (const token of [undefined, "", "s2s_audit_nope", `${admin}x`]) {
      const res = await getJson(api("/orders/shop-de:1001/events"), token)
      expect(res.status).toBe(401)
      expect(res.body).toMatchObject({ error: "unauthorized", message: expect.any(String) })
    }
    // Valid, but the wrong kind of token: authenticated, not authorized.
    const ingest = await createToken(service.databaseUrl, "ingest", "shop-de")
    for (const path of ["/orders/shop-de:1001/events", "/orders/shop-de:1001", "/orders"]) {
      const res = await getJson(api(path), ingest)
      expect(res.status, path).toBe(403)
      expect(res.body).toEqual({ error: "insufficient_scope", message: expect.stringContaining("ingest token") })
    }
    const missing = await getJson(api("/orders/shop-de:999/events"), audit)
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ error: "not_found", message: expect.stringContaining("shop-de:999") })
  })
})

describe("GET /api/v1/orders/{orderKey}", () => {
  it("shows status, value, identity, tracking and the per-target state, customer masked for audit", async () => {
    await eventually(() => projected("shop-de:1001", "delivered"))
    const { status, body } = await getJson<OrderView>(api("/orders/shop-de%3A1001"), audit)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      orderKey: "shop-de:1001",
      sourceId: "shop-de",
      company: "acme",
      market: "DE",
      partner: "awin",
      products: ["vitamins", "OMG-3-60"],
      status: "paid",
      ignored: null,
      value: { amountMinor: 6326, currency: "EUR", amount: "63.26" },
      refundedMinor: 0,
      placedAt: "2026-11-02T09:00:00.000Z",
      paidAt: "2026-11-02T09:00:00.000Z",
      test: false,
      hasClickId: true,
      missingTracking: false,
      masked: true,
      dispatchState: "delivered"
    })
    expect(body.tracking).toMatchObject({
      clickIds: { awc: "1001_1732871512_abc" },
      utm: { source: "awin", campaign: "black friday" }
    })
    expect(body.customer).toMatchObject({
      email: "l***@example.de",
      phone: "+49 *** ** 89",
      firstName: "L***",
      city: "Berlin"
    })
    expect(body.targets).toEqual([
      expect.objectContaining({
        targetId: "awin",
        kind: "conversion",
        channel: "postback",
        ruleId: "awin-all",
        status: "succeeded",
        attempts: 2
      })
    ])
    expect(body.targets[0]!.succeededAt).toEqual(expect.any(String))
    const clear = await getJson<OrderView>(api("/orders/shop-de:1001"), admin)
    expect(clear.body.customer).toMatchObject({
      email: "lena.mueller@example.de",
      phone: "+49 151 23456789",
      lastName: "Müller"
    })
    expect(clear.body.masked).toBe(false)
  })

  it("folds the order stream when the projection has no row for it yet", async () => {
    await deliver(service.baseUrl, "shop-de", SECRET, bodies["shop-de:1003"], "wh-1003")
    await eventually(() => projected("shop-de:1003", "delivered"))
    await sql`delete from conversions where order_key = 'shop-de:1003'`
    const { status, body } = await getJson<OrderView>(api("/orders/shop-de:1003"), audit)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      orderKey: "shop-de:1003",
      status: "paid",
      dispatchState: "delivered",
      partner: "awin"
    })
    expect(body.version).toBe((await stored("shop-de:1003")).length)
  })

  it("shows an order routed nowhere, and answers 404 for an unknown one", async () => {
    const { body } = await getJson<OrderView>(api("/orders/shop-de:1002"), audit)
    expect(body).toMatchObject({ partner: "google", status: "paid", dispatchState: "none", targets: [] })
    const missing = await getJson(api("/orders/nope:1"), audit)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: "not_found" })
    expect((await getJson(api("/orders/shop-de:1002"))).status).toBe(401)
  })
})

describe("GET /api/v1/orders", () => {
  const search = async (query: string) => getJson<OrderSearchResult>(api(`/orders?${query}`), audit)
  const keys = (r: OrderSearchResult) => r.orders.map((o) => o.orderKey)

  beforeAll(async () => {
    await eventually(() => projected("shop-at:2001", "none"))
    await eventually(() => projected("shop-de:1002", "none"))
  })

  it("filters by company, partner, status, dispatch state, missing tracking and time range, newest first", async () => {
    expect(keys((await search("company=acme")).body)).toEqual(["shop-de:1002", "shop-de:1001"])
    expect(keys((await search("partner=awin")).body)).toEqual(["shop-de:1001"])
    expect(keys((await search("status=paid&dispatchState=none")).body)).toEqual(["shop-at:2001", "shop-de:1002"])
    expect(keys((await search("dispatchState=delivered,failed")).body)).toEqual(["shop-de:1001"])
    expect(keys((await search("missingTracking=true")).body)).toEqual(["shop-at:2001"])
    expect(keys((await search("missingTracking=false&company=acme")).body)).toEqual(["shop-de:1002", "shop-de:1001"])
    expect(keys((await search("from=2026-11-02T09:00:00Z&to=2026-11-04")).body)).toEqual([
      "shop-de:1002",
      "shop-de:1001"
    ])
    const row = (await search("partner=awin")).body.orders[0]!
    expect(row).toMatchObject({
      sourceId: "shop-de",
      company: "acme",
      market: "DE",
      products: ["vitamins", "OMG-3-60"],
      status: "paid",
      value: { amountMinor: 6326, currency: "EUR", amount: "63.26" },
      placedAt: "2026-11-02T09:00:00.000Z",
      hasClickId: true,
      missingTracking: false,
      utmCampaign: "black friday",
      dispatchState: "delivered"
    })
  })

  it("pages with an opaque cursor until nextCursor is null", async () => {
    const seen: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res: { body: OrderSearchResult } = await search(
        `limit=1&from=2026-11-01${cursor ? `&cursor=${cursor}` : ""}`
      )
      expect(res.body.orders.length).toBe(1)
      seen.push(...keys(res.body))
      cursor = res.body.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(seen).toEqual(["shop-at:2001", "shop-de:1002", "shop-de:1001"])
    expect((await search("limit=2")).body.nextCursor).toEqual(expect.any(String))
  })

  it("answers 400 with a sentence for a bad parameter", async () => {
    for (const [query, words] of [
      ["limit=0", "limit"],
      ["limit=501", "limit"],
      ["status=shipped", "status must be one of"],
      ["dispatchState=done", "dispatchState must be one of"],
      ["missingTracking=yes", "missingTracking"],
      ["from=yesterday", "from must be an ISO 8601"],
      ["from=2026-11-05&to=2026-11-01", "from must be before to"],
      ["cursor=abc", "cursor"],
      ["compnay=acme", "unknown parameter compnay"],
      ["company=acme&company=beta", "more than once"]
    ] as const) {
      const res = await getJson(api(`/orders?${query}`), audit)
      expect(res.status, query).toBe(400)
      expect(res.body, query).toEqual({ error: "bad_request", message: expect.stringContaining(words) })
    }
    expect((await getJson(api("/orders"))).status).toBe(401)
  })
})

describe("order keys with a slash and a space", () => {
  it("reach the log and the view percent-encoded", async () => {
    const key = "shop-de:A/1 2"
    const order = makeOrder("DE", { orderKey: key, platformOrderId: "A/1 2" })
    await Effect.runPromise(
      Effect.flatMap(EventStore, (store) =>
        store.append(`order-${key}`, "no_stream", [
          { _tag: "OrderNormalized", webhookId: "wh-slash", order, parserVersion: 1 }
        ])
      ).pipe(Effect.provide(dbLayer(service.databaseUrl)))
    )
    expect(encodeURIComponent(key)).toBe("shop-de%3AA%2F1%202")
    const log = await getJson<OrderLog>(api(`/orders/${encodeURIComponent(key)}/events`), audit)
    expect(log.status).toBe(200)
    expect(log.body.orderKey).toBe(key)
    expect(typesOf(log.body.events)).toEqual(["OrderNormalized"])
    const view = await getJson<OrderView>(api(`/orders/${encodeURIComponent(key)}`), audit)
    expect(view.status).toBe(200)
    expect(view.body.orderKey).toBe(key)
    // Unencoded, the slash splits the path: not this order.
    const split = await fetch(api("/orders/shop-de:A/1%202/events"), { headers: { authorization: `Bearer ${audit}` } })
    expect(split.status).toBe(404)
  })
})
