// The console pages' data through the real service: orders in through webhooks, normalized, routed and
// dispatched by the worker to a fake Meta (which acknowledges) and a fake affiliate (which is down),
// then each page's API read back: order search by every filter, needs attention, coverage and match
// quality, queue health, rules what-if; and the page itself, its assets and /docs, served offline.
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { FilterOptions } from "../../src/console/api/schemas.js"
import type { Attention } from "../../src/console/attention/schema.js"
import type { Coverage } from "../../src/console/coverage/schema.js"
import type { QueueHealth } from "../../src/console/queue/schema.js"
import type { WhatIfReport } from "../../src/console/rules/schema.js"
import type { Sql } from "../../src/db/Db.js"
import { EventStore } from "../../src/events/EventStore.js"
import type { OrderSearchResult } from "../../src/orders/summary.js"
import { createToken, deliver, shopifyOrder } from "../orders/support.js"
import { appSql, dbLayer } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { consoleBuilt } from "./built.js"
import { type ConsoleSession, consoleGet, consolePost, login } from "./support.js"

const SECRET = "shpss_console_pages"
const FIXTURE_EMAIL = "lena.mueller@example.de"
const today = new Date().toISOString()

let meta: FakeServer
let awin: FakeServer
let service: RunningService
let sql: Sql
let session: ConsoleSession
let brokenWebhook: string

const config = (withAwinRule: boolean) => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:CP_SHOPIFY_SECRET }
  - { id: shop-fr, kind: shopify, company: beta, market: FR, secret: env:CP_SHOPIFY_SECRET }
partners:
  - { id: google, when: [gclid, "utm_source=google"] }
  - { id: awin, when: [awc] }
targets:
  - { id: meta-all, channel: meta-capi, pixelId: "1234567890", accessToken: env:CP_META_TOKEN }
  - id: awin
    channel: postback
    url: "${awin.url}/sread.php?ref={order_id}&cks={click_id}"
    retry: { initialDelay: 100ms, maxAttempts: 1 }
rules:
  - { id: meta-all, company: "*", product: "*", partner: "*", target: meta-all }
${withAwinRule ? '  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }' : ""}
`

const order = (source: string, id: number, email: string, landing: string, country = "DE") =>
  deliver(
    service.baseUrl,
    source,
    SECRET,
    shopifyOrder({ id, createdAt: today, landing })
      .replaceAll(FIXTURE_EMAIL, email)
      .replaceAll('"country_code":"DE"', `"country_code":"${country}"`),
    `wh-pages-${id}`
  )

const search = (params: string) => consoleGet<OrderSearchResult>(service.baseUrl, `/orders?${params}`, session)
const keys = (result: { body: OrderSearchResult }) => result.body.orders.map((o) => o.orderKey).sort()
const sha256 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex")

beforeAll(async () => {
  await consoleBuilt()
  meta = await fakeServer()
  meta.script([], {
    status: 200,
    body: JSON.stringify({ events_received: 1, messages: [], fbtrace_id: "AbCdEf" }),
    headers: { "content-type": "application/json" }
  })
  awin = await fakeServer()
  awin.script([], { status: 500, body: "down" })
  service = await startService({
    worker: true,
    env: { CP_SHOPIFY_SECRET: SECRET, CP_META_TOKEN: "meta-token", META_GRAPH_URL: meta.url },
    config: config(true)
  })
  sql = appSql(service.databaseUrl)
  session = await login(service.baseUrl, await createToken(service.databaseUrl, "operate"))
  await order("shop-de", 7001, "Anna.A@Example.test", "/p?awc=1001_pages_awc&utm_campaign=aff")
  await order("shop-de", 7002, "bert@example.test", "/p?gclid=Cj0pagesgclid&utm_source=google&utm_campaign=brand")
  await order("shop-fr", 7003, "chloe@example.test", "/landing/lost?utm_source=google&utm_campaign=lost_campaign", "FR")
  // A Shopify order that cannot be normalized: its total is not a number.
  const broken = JSON.stringify({
    ...JSON.parse(shopifyOrder({ id: 7004, createdAt: today, landing: "/" })),
    total_price: "n/a",
    current_total_price: "n/a"
  })
  const accepted = await post(
    `${service.baseUrl}/webhooks/shop-de`,
    broken,
    shopifyHeaders(broken, SECRET, { "x-shopify-webhook-id": "wh-pages-7004" })
  )
  expect(accepted.status).toBe(202)
  brokenWebhook = ((await accepted.json()) as { webhookId: string }).webhookId
  await eventually(async () => {
    const [row] = await sql<Array<{ n: number }>>`
      select count(*)::int as n from dispatch_facts where status in ('succeeded', 'dead_lettered')`
    const delivered = await sql`select 1 from conversions where dispatch_state = 'delivered'`
    const dead = await sql`select 1 from conversions where doc -> 'dispatch' @> '[{"status": "dead_lettered"}]'`
    return row!.n === 4 && delivered.length === 2 && dead.length === 1 ? true : undefined
  }, 30_000)
})

describe("order search", () => {
  it("finds orders by the SHA-256 of the e-mail, trimmed and lower-cased, never the address", async () => {
    expect(keys(await search(`email=${await sha256("anna.a@example.test")}`))).toEqual(["shop-de:7001"])
    const plain = await search("email=anna.a@example.test")
    expect(plain.status).toBe(400)
    expect(plain.body).toMatchObject({ error: "bad_request" })
  })

  it("finds orders by click id, order key prefix, target, company and market", async () => {
    expect(keys(await search("clickId=1001_pages_awc"))).toEqual(["shop-de:7001"])
    expect(keys(await search("clickId=Cj0pagesgclid"))).toEqual(["shop-de:7002"])
    expect(keys(await search("orderKey=shop-fr:"))).toEqual(["shop-fr:7003"])
    expect(keys(await search("orderKey=shop-de:7002"))).toEqual(["shop-de:7002"])
    expect(keys(await search("target=awin"))).toEqual(["shop-de:7001"])
    expect(keys(await search("target=meta-all"))).toEqual(["shop-de:7001", "shop-de:7002", "shop-fr:7003"])
    expect(keys(await search("company=beta&market=fr"))).toEqual(["shop-fr:7003"])
    expect(keys(await search("dispatchState=partial"))).toEqual(["shop-de:7001"])
  })

  it("pages with a cursor, a page at a time", async () => {
    const first = await search("limit=2")
    expect(first.body.orders).toHaveLength(2)
    const second = await search(`limit=2&cursor=${first.body.nextCursor}`)
    expect(second.body.orders).toHaveLength(1)
    expect(second.body.nextCursor).toBeNull()
  })

  it("offers the configured and seen values as filters", async () => {
    const options = await consoleGet<FilterOptions>(service.baseUrl, "/filters", session)
    expect(options.body).toEqual({
      companies: ["acme", "beta"],
      markets: ["DE", "FR"],
      partners: ["awin", "google"],
      targets: ["awin", "meta-all"],
      sources: ["shop-de", "shop-fr"]
    })
  })
})

describe("needs attention", () => {
  it("lists dead letters with their re-dispatch state, webhooks that became no order and open breakers", async () => {
    await Effect.runPromise(
      Effect.flatMap(EventStore, (s) =>
        s.append("target-awin", "any", [
          {
            _tag: "CircuitOpened",
            targetId: "awin",
            consecutiveFailures: 5,
            lastReason: "ServerError: HTTP 500 for lena@example.de",
            until: new Date(Date.now() + 600_000).toISOString()
          }
        ])
      ).pipe(Effect.provide(dbLayer(service.databaseUrl)))
    )
    const attention = await eventually(async () => {
      const res = await consoleGet<Attention>(service.baseUrl, "/attention", session)
      return res.body.webhooks.length > 0 ? res.body : undefined
    })
    expect(attention.states).toEqual([
      {
        status: "held",
        label: "outcome unknown: ask the partner before sending again",
        count: 0,
        redispatchState: "held"
      },
      { status: "dead_lettered", label: "given up after retries", count: 1, redispatchState: "dead_lettered" },
      { status: "failed", label: "rejected by the destination", count: 0, redispatchState: "failed" }
    ])
    expect(attention.dispatches.map((d) => [d.orderKey, d.targetId, d.status, d.attempts])).toEqual([
      ["shop-de:7001", "awin", "dead_lettered", 1]
    ])
    expect(attention.webhooks.map((f) => [f.webhookId, f.sourceId, f.state])).toEqual([
      [brokenWebhook, "shop-de", "normalization_failed"]
    ])
    expect(attention.breakers).toMatchObject([{ targetId: "awin", consecutiveFailures: 5 }])
    expect(attention.breakers[0]?.lastReason).not.toContain("lena@example.de")
  })
})

describe("coverage", () => {
  it("counts the funnel per company x market x partner x day and in total", async () => {
    const res = await consoleGet<Coverage>(service.baseUrl, "/coverage", session)
    expect(res.status).toBe(200)
    const day = today.slice(0, 10)
    expect(res.body.totals).toEqual({ paid: 3, withClickId: 2, eligible: 3, delivered: 2, acknowledged: 2 })
    expect(
      res.body.rows.map((r) => [
        r.day,
        r.company,
        r.market,
        r.partner,
        r.paid,
        r.withClickId,
        r.delivered,
        r.acknowledged
      ])
    ).toEqual([
      [day, "acme", "DE", "awin", 1, 1, 0, 0],
      [day, "acme", "DE", "google", 1, 1, 1, 1],
      [day, "beta", "FR", "google", 1, 0, 1, 1]
    ])
    expect(res.body.days).toHaveLength(14)
    expect(res.body.days.at(-1)).toEqual({ day, paid: 3, withClickId: 2, eligible: 3, delivered: 2, acknowledged: 2 })
    expect(res.body.lostCampaigns).toEqual([{ partner: "google", name: "lost_campaign", orders: 1 }])
    expect(res.body.lostLandingPages).toEqual([
      { partner: "google", name: "www.acme-vitamins.com/landing/lost", orders: 1 }
    ])
  })

  it("shows which identifiers went to each target, and under which consent", async () => {
    const res = await consoleGet<Coverage>(service.baseUrl, "/coverage?company=acme", session)
    const byTarget = Object.fromEntries(res.body.matchQuality.map((m) => [m.targetId, m]))
    expect(byTarget.awin).toMatchObject({ channel: "postback", sent: 1, clickId: 1, email: 0 })
    expect(byTarget["meta-all"]).toMatchObject({
      channel: "meta-capi",
      sent: 2,
      email: 2,
      ip: 2,
      userAgent: 2,
      clickId: 0
    })
    const m = byTarget["meta-all"]!
    expect(m.consentGranted + m.consentDenied + m.consentUnknown).toBe(2)
  })

  it("refuses a bad range with a sentence", async () => {
    const res = await consoleGet(service.baseUrl, "/coverage?from=2026-01-01&to=2026-12-01", session)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: "bad_request", message: "the range is at most 92 days; narrow from and to" })
  })
})

describe("queue health", () => {
  it("shows jobs per task, the last hour's throughput and every projection", async () => {
    const res = await consoleGet<QueueHealth>(service.baseUrl, "/queue", session)
    expect(res.status).toBe(200)
    expect(res.body.tasks.map((t) => t.task)).toEqual(expect.arrayContaining(["normalize-webhook", "dispatch-order"]))
    const normalized = res.body.throughput.series.find((s) => s.task === "normalize-webhook")
    expect(normalized?.counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4)
    expect(res.body.throughput.minutes).toHaveLength(60)
    expect(res.body.projections.map((p) => p.name)).toEqual(["stream_summaries", "conversions", "dispatch_facts"])
    expect(res.body.projections.every((p) => p.checkpoint !== null && p.rebuild === null)).toBe(true)
  })
})

describe("rules what-if", () => {
  it("lists the recent orders a file would route elsewhere, without applying it", async () => {
    const before = await sql`select count(*)::int as n from events where stream_id like 'config:%'`
    const res = await consolePost<WhatIfReport>(service.baseUrl, "/rules/what-if", { yaml: config(false) }, session)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      examined: 3,
      changed: 1,
      truncated: false,
      byTarget: [{ targetId: "awin", gained: 0, lost: 1 }],
      rules: { added: [], removed: ["awin-all"], changed: [] }
    })
    expect(res.body.changes.map((c) => [c.orderKey, c.before, c.after])).toEqual([
      ["shop-de:7001", ["awin", "meta-all"], ["meta-all"]]
    ])
    expect(await sql`select count(*)::int as n from events where stream_id like 'config:%'`).toEqual(before)
  })

  it("reports every problem of an invalid file with its line and column", async () => {
    const res = await consolePost(
      service.baseUrl,
      "/rules/what-if",
      { yaml: "sources:\n  - { id: x, kind: nope }\n" },
      session
    )
    expect(res.status).toBe(400)
    expect(String(res.body.message)).toMatch(/^s2s\.yaml:2:20 sources\[0\]\.kind: /m)
  })
})

describe("the page and its assets", () => {
  it("answers /console and any page path with the HTML shell, with strict headers", async () => {
    for (const path of ["/console", "/console/orders", "/console/order?key=shop-de%3A7001"]) {
      const res = await fetch(`${service.baseUrl}${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'")
      expect(res.headers.get("referrer-policy")).toBe("no-referrer")
      const html = await res.text()
      expect(html).toMatch(/<script type="module" src="\/console\/assets\/app-[A-Z0-9]+\.js"><\/script>/)
      expect(html).not.toMatch(/https?:\/\//)
    }
    const missing = await fetch(`${service.baseUrl}/console/api/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: "not_found" })
  })

  it("serves the built assets gzipped, immutable, and 304 to a browser that has them", async () => {
    const html = await (await fetch(`${service.baseUrl}/console`)).text()
    const js = /src="(\/console\/assets\/[^"]+)"/.exec(html)?.[1]
    const res = await fetch(`${service.baseUrl}${js}`, { headers: { "accept-encoding": "gzip" } })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-encoding")).toBe("gzip")
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable")
    expect((await res.text()).length).toBeGreaterThan(10_000)
    const again = await fetch(`${service.baseUrl}${js}`, {
      headers: { "if-none-match": res.headers.get("etag") ?? "" }
    })
    expect(again.status).toBe(304)
    expect((await fetch(`${service.baseUrl}/console/assets/${randomUUID()}.js`)).status).toBe(404)
  })

  it("renders /docs for browsers from bundled Swagger UI, JSON otherwise", async () => {
    const page = await fetch(`${service.baseUrl}/docs`, { headers: { accept: "text/html" } })
    const html = await page.text()
    expect(html).toContain('<script src="/docs/assets/swagger-ui-bundle.js">')
    expect(html).not.toContain("unpkg")
    expect(html).not.toMatch(/src="https?:/)
    for (const asset of ["swagger-ui-bundle.js", "swagger-ui.css", "init.js"]) {
      const res = await fetch(`${service.baseUrl}/docs/assets/${asset}`)
      expect(res.status).toBe(200)
    }
    const spec = (await (await fetch(`${service.baseUrl}/docs`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(spec.paths)).toContain("/api/v1/orders")
    expect(Object.keys(spec.paths).some((p) => p.startsWith("/console"))).toBe(false)
  })
})
