// A target that fails for every order is paused after N consecutive failures, alerted once, and does
// not keep the worker busy: orders for it wait while other targets keep being served.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { jobsSettled } from "../support/wait.js"

let bad: FakeServer
let good: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql

beforeAll(async () => {
  bad = await fakeServer()
  good = await fakeServer()
  bad.script([], { status: 401, body: "invalid token" })
  service = await startService({
    worker: true,
    env: { B_SECRET: "shpss_breaker" },
    config: `
sources: [{ id: shop, kind: shopify, company: acme, secret: env:B_SECRET }]
partners: [{ id: awin, when: [awc] }]
targets:
  - { id: broken, channel: postback, url: "${bad.url}/t?ref={order_id}", breaker: { failures: 3, cooldown: 10m } }
  - { id: healthy, channel: postback, url: "${good.url}/t?ref={order_id}" }
rules:
  - { id: r1, company: "*", product: "*", partner: awin, target: broken }
  - { id: r2, company: "*", product: "*", partner: awin, target: healthy }
`
  })
  owner = ownerSql(service.databaseUrl)
  sql = appSql(service.databaseUrl)
})

const order = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
const deliver = (id: number) => {
  const body = JSON.stringify({
    ...order,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    landing_site: "/?awc=1_x"
  })
  return post(
    `${service.baseUrl}/webhooks/shop`,
    body,
    shopifyHeaders(body, "shpss_breaker", { "x-shopify-webhook-id": `b-${id}` })
  )
}

describe("circuit breaker", () => {
  it("opens after three failures, alerts once, pauses the target and keeps serving the others", async () => {
    for (const id of [1, 2, 3]) {
      await deliver(id)
      await bad.waitFor(id)
    }
    const opened = await eventually(async () => {
      const rows = await sql`select data from events where stream_id = 'target-broken' and type = 'CircuitOpened'`
      return rows[0]?.data as { consecutiveFailures: number; lastReason: string } | undefined
    })
    expect(opened).toMatchObject({ consecutiveFailures: 3, lastReason: "Unauthorized" })
    for (const id of [4, 5, 6]) await deliver(id)
    await good.waitFor(6)
    await jobsSettled(owner)
    // Paused: no request to the broken target for orders 4-6, and no further CircuitOpened.
    expect(bad.requests).toHaveLength(3)
    const [count] = await sql`select count(*)::int as n from events where type = 'CircuitOpened'`
    expect(count!.n).toBe(1)
    const alerts = await sql`select data from events where type = 'AlertRaised' and data->>'problem' = 'circuit_open'`
    expect(alerts).toHaveLength(1)
  })
})
