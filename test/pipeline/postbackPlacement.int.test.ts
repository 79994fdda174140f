// End to end: an order whose click id would change a postback's path is not sent anywhere; the
// dispatch fails for good (InvalidPayload, visible in the order's log) and raises an alert. An
// order with more line items than a URL can hold is sent with {items} shortened (whole items, "+N"),
// where the full list would have been refused by the partner's server (431).
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const SECRET = "shpss_placement"
let partner: FakeServer
let service: RunningService
let sql: Sql

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

const deliver = async (id: number, awc: string, lineItems?: Array<Record<string, unknown>>) => {
  const body = JSON.stringify({
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    landing_site: `/products/vitamin-d3?awc=${encodeURIComponent(awc)}&utm_source=awin`,
    ...(lineItems === undefined ? {} : { line_items: lineItems })
  })
  const res = await post(
    `${service.baseUrl}/webhooks/shop-de`,
    body,
    shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `wh-${id}` })
  )
  expect(res.status).toBe(202)
}

const eventsOf = (orderKey: string) =>
  sql<Array<{ type: string; data: Record<string, unknown> }>>`
    select type, data from events where stream_id = ${`order-${orderKey}`} order by stream_version`

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { PL_SHOPIFY_SECRET: SECRET },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:PL_SHOPIFY_SECRET }
partners:
  - { id: awin, when: [awc] }
targets:
  - id: awin-path
    channel: postback
    url: "${partner.url}/click/{click_id}/confirm?ref={order_id}"
  - id: awin-items
    channel: postback
    url: "${partner.url}/basket?cks={click_id}&items={items}"
rules:
  - { id: awin-path, company: "*", product: "*", partner: awin, target: awin-path }
  - { id: awin-items, company: "*", product: "*", partner: awin, target: awin-items }
`
  })
  sql = appSql(service.databaseUrl)
})

describe("values that cannot be placed in a postback URL", () => {
  it("a click id '..' in a path segment: nothing sent to that target, a permanent failure and an alert", async () => {
    await deliver(910001, "..")
    const failed = await eventually(async () =>
      (await eventsOf("shop-de:910001")).find((e) => e.type === "DispatchFailed" && e.data.targetId === "awin-path")
    )
    expect(failed.data).toMatchObject({
      retryable: false,
      reason: "InvalidPayload",
      message: expect.stringContaining(`{click_id} makes the path segment "..", a dot segment`)
    })
    const alert = await eventually(async () => {
      const rows = await sql<Array<{ data: Record<string, unknown> }>>`
        select data from events where type = 'AlertRaised' and data->>'orderKey' = 'shop-de:910001'
          and data->>'targetId' = 'awin-path'`
      return rows[0]?.data
    })
    expect(alert).toMatchObject({ problem: "dispatch_rejected" })
    // The other target (click id in the query) took the same value safely, encoded.
    await partner.waitFor(1)
    const paths = partner.requests.map((r) => r.url.split("?")[0])
    expect(paths).not.toContain("/confirm")
    expect(paths.every((p) => p === "/basket")).toBe(true)
    expect(partner.requests[0]!.url).toContain("cks=..&")
  })
})

describe("{items} too long for a URL", () => {
  it("is shortened by whole items with a +N marker, and the partner accepts the request", async () => {
    const lines = Array.from({ length: 1_500 }, (_, i) => ({
      id: 1_000 + i,
      sku: `VIT-${String(i).padStart(4, "0")}`,
      title: "Vitamin",
      quantity: 1,
      price: "1.00"
    }))
    const before = partner.requests.length
    await deliver(910002, "1001_1732871512_abc", lines)
    const succeeded = await eventually(async () =>
      (await eventsOf("shop-de:910002")).find((e) => e.type === "DispatchSucceeded" && e.data.targetId === "awin-items")
    )
    const sent = partner.requests.slice(before).find((r) => r.url.startsWith("/basket"))!
    const items = new URL(sent.url, partner.url).searchParams.get("items")!.split("|")
    expect(items.at(-1)).toMatch(/^\+\d+$/)
    expect(items.length - 1 + Number(items.at(-1)!.slice(1))).toBe(1_500)
    expect(items[0]).toBe("VIT-0000:1:1.00")
    expect(succeeded.data).toBeDefined()
  })
})
