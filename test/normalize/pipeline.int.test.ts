// Webhooks through the worker into the conversions view: out-of-order deliveries (paid before
// created), redeliveries, a refund after payment and a test order end in the right state, with one
// conversion dispatch per order.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { jobsSettled } from "../support/wait.js"

const SECRET = "shpss_normalize"
let partner: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql

const fixture = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...(JSON.parse(fs.readFileSync(`test/fixtures/shopify/${name}`, "utf8")) as object), ...extra })

const deliver = async (body: string, topic: string, webhookId: string) => {
  const res = await post(
    `${service.baseUrl}/webhooks/shop-de`,
    body,
    shopifyHeaders(body, SECRET, { "x-shopify-topic": topic, "x-shopify-webhook-id": webhookId })
  )
  expect(res.status).toBe(202)
}

const view = (orderKey: string) =>
  sql<Array<{ status: string; dispatch_state: string; value_minor: string; partner: string | null }>>`
    select status, dispatch_state, value_minor, partner from conversions
    where generation = (select active_generation from projections where name = 'conversions') and order_key = ${orderKey}`

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { N_SECRET: SECRET },
    config: `
sources: [{ id: shop-de, kind: shopify, company: acme, market: DE, secret: env:N_SECRET, testOrders: { tags: [test] } }]
partners: [{ id: google, when: [gclid] }]
targets: [{ id: sink, channel: postback, url: "${partner.url}/t?ref={order_id}&s={status}", statusChange: { url: "${partner.url}/s?ref={order_id}&s={status}&a={amount}" } }]
rules: [{ id: all, company: "*", product: "*", partner: "*", target: sink }]
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
})

describe("normalization through the worker", () => {
  it("ends paid with one conversion when paid arrives before created, whatever the redeliveries", async () => {
    await deliver(fixture("orders-paid.json"), "orders/paid", "n-paid")
    await deliver(fixture("orders-create.json"), "orders/create", "n-create")
    await deliver(fixture("orders-paid.json"), "orders/paid", "n-paid")
    const [row] = await eventually(async () => {
      const rows = await view("shop-de:5678901234567")
      return rows[0]?.dispatch_state === "delivered" ? rows : undefined
    })
    expect(row).toMatchObject({ status: "paid", partner: "google", value_minor: "6326" })
    await jobsSettled(owner)
    expect(partner.requests.filter((r) => r.url.startsWith("/t?ref=5678901234567"))).toHaveLength(1)
    const types = (
      await sql`select type from events where stream_id = 'order-shop-de:5678901234567' order by stream_version`
    ).map((r) => r.type)
    expect(types.filter((t) => t === "PaymentUpdated")).toHaveLength(1)
    expect(types.filter((t) => t === "DispatchPlanned")).toHaveLength(1)
  })

  it("records a partial refund on the order and sends the status change to the partner", async () => {
    await deliver(fixture("refunds-create-partial.json"), "refunds/create", "n-refund")
    const [row] = await eventually(async () => {
      const rows = await view("shop-de:5678901234567")
      return rows[0]?.status === "partially_refunded" ? rows : undefined
    })
    expect(row!.status).toBe("partially_refunded")
    const [request] = await eventually(async () => {
      const r = partner.requests.filter((q) => q.url.startsWith("/s?ref=5678901234567"))
      return r.length > 0 ? r : undefined
    })
    expect(request!.url).toBe("/s?ref=5678901234567&s=partially_refunded&a=40.81")
  })

  it("ignores a test order with the reason, and sends nothing", async () => {
    await deliver(fixture("orders-paid-test.json"), "orders/paid", "n-test")
    const id = (JSON.parse(fixture("orders-paid-test.json")) as { id: number }).id
    const [row] = await eventually(async () => {
      const rows = await view(`shop-de:${id}`)
      return rows[0]?.status === "ignored" ? rows : undefined
    })
    expect(row!.dispatch_state).toBe("none")
    const [ignored] =
      await sql`select data from events where stream_id = ${`order-shop-de:${id}`} and type = 'OrderIgnored'`
    expect(ignored!.data).toMatchObject({ reason: "test_order" })
  })
})
