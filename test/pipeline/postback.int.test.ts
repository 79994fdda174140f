import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { jobsSettled } from "../support/wait.js"

const SECRET = "shpss_pipeline"
let partner: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

/** The paid order fixture as another order, landing with an Awin click id. */
const awinOrder = (id: number) =>
  JSON.stringify({
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    landing_site: `/products/vitamin-d3?awc=1001_1732871512_abc&utm_source=awin&utm_campaign=spring sale`
  })

const deliver = async (id: number, webhookId = `wh-${id}`) => {
  const body = awinOrder(id)
  const res = await post(
    `${service.baseUrl}/webhooks/shop-de`,
    body,
    shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": webhookId })
  )
  expect(res.status).toBe(202)
}

const orderEvents = (orderKey: string) =>
  sql<Array<{ type: string; data: Record<string, unknown> }>>`
    select type, data from events where stream_id = ${`order-${orderKey}`} order by stream_version`

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { P_SHOPIFY_SECRET: SECRET },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:P_SHOPIFY_SECRET }
products:
  - { match: { sku: "VIT-*" }, product: vitamins }
partners:
  - { id: google, when: [gclid, gbraid, wbraid] }
  - { id: awin, when: [awc, "utm_source=awin"] }
targets:
  - id: awin
    channel: postback
    url: "${partner.url}/sread.php?tt=ss&merchant=1001&amount={amount}&cr={currency}&ref={order_id}&cks={click_id}&camp={utm_campaign}"
    retry: { initialDelay: 200ms, maxAttempts: 3 }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
})

describe("webhook to postback", () => {
  it("normalizes a paid order, routes it, sends the postback once with the exact URL, and records everything", async () => {
    await deliver(900001)
    const [request] = await partner.waitFor(1)
    expect(request!.method).toBe("GET")
    expect(request!.url).toBe(
      "/sread.php?tt=ss&merchant=1001&amount=63.26&cr=EUR&ref=900001&cks=1001_1732871512_abc&camp=spring%20sale"
    )
    const types = await eventually(async () => {
      const t = (await orderEvents("shop-de:900001")).map((e) => e.type)
      return t.includes("DispatchSucceeded") ? t : undefined
    })
    expect(types).toEqual([
      "OrderNormalized",
      "PaymentUpdated",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchSucceeded"
    ])
    const attempted = (await orderEvents("shop-de:900001")).find((e) => e.type === "DispatchAttempted")!.data as {
      exchanges: Array<{ response: { status: number } }>
    }
    expect(attempted.exchanges[0]!.response.status).toBe(200)
    const view = await eventually(async () => {
      const rows = await sql`select status, partner, dispatch_state from conversions where order_key = 'shop-de:900001'`
      return rows[0]?.dispatch_state === "delivered" ? rows[0] : undefined
    })
    expect(view).toMatchObject({ status: "paid", partner: "awin" })
  })

  it("sends nothing more for a redelivered webhook or the same order in a new delivery", async () => {
    const before = partner.requests.length
    await deliver(900001)
    await deliver(900001, "wh-900001-again")
    await jobsSettled(owner)
    expect(partner.requests.length).toBe(before)
  })

  it("retries a 500 and succeeds on the third attempt", async () => {
    partner.script(
      [
        { status: 500, body: "oops" },
        { status: 503, body: "busy" }
      ],
      { status: 200, body: "OK" }
    )
    const before = partner.requests.length
    await deliver(900002)
    await partner.waitFor(before + 3, 20_000)
    const types = await eventually(async () => {
      const t = (await orderEvents("shop-de:900002")).map((e) => e.type)
      return t.includes("DispatchSucceeded") ? t : undefined
    }, 20_000)
    expect(types.filter((t) => t === "DispatchAttempted")).toHaveLength(3)
    expect(types.filter((t) => t === "DispatchFailed")).toHaveLength(2)
    expect(types.filter((t) => t === "DispatchSucceeded")).toHaveLength(1)
  })

  it("stops at once on a 400: one attempt, permanent failure", async () => {
    partner.script([{ status: 400, body: "bad ref" }], { status: 200, body: "OK" })
    const before = partner.requests.length
    await deliver(900003)
    await partner.waitFor(before + 1)
    const types = await eventually(async () => {
      const t = (await orderEvents("shop-de:900003")).map((e) => e.type)
      return t.includes("DispatchFailed") ? t : undefined
    })
    await jobsSettled(owner)
    expect(partner.requests.length).toBe(before + 1)
    const failed = (await orderEvents("shop-de:900003")).find((e) => e.type === "DispatchFailed")!.data
    expect(failed).toMatchObject({ retryable: false, reason: "InvalidPayload", status: 400 })
    expect(types.filter((t) => t === "DispatchAttempted")).toHaveLength(1)
  })

  it("honours Retry-After end to end: the retry is scheduled after it and no request arrives before", async () => {
    partner.script([{ status: 429, body: "slow down", headers: { "retry-after": "2" } }], { status: 200, body: "OK" })
    const before = partner.requests.length
    await deliver(900004)
    const requests = await partner.waitFor(before + 2, 20_000)
    const [limited, retried] = [requests[before]!, requests[before + 1]!]
    const events = await eventually(async () => {
      const e = await orderEvents("shop-de:900004")
      return e.some((x) => x.type === "DispatchSucceeded") ? e : undefined
    })
    const failed = events.find((e) => e.type === "DispatchFailed")!.data as { reason: string; nextAttemptAt: string }
    expect(failed.reason).toBe("RateLimited")
    // The backoff (200 ms) is shorter than Retry-After: the server's 2 s win, counted from its answer.
    const nextAttemptAt = Date.parse(failed.nextAttemptAt)
    expect(nextAttemptAt).toBeGreaterThanOrEqual(limited.at + 2_000)
    expect(retried.at).toBeGreaterThanOrEqual(nextAttemptAt)
    expect(events.filter((e) => e.type === "DispatchAttempted")).toHaveLength(2)
  })
})
