// Nothing is sent twice: duplicate jobs for one (order, target) while the first is still sending, and
// jobs after the success, make no second request.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { jobsSettled } from "../support/wait.js"

let partner: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { D_SECRET: "shpss_dup" },
    config: `
sources: [{ id: shop, kind: shopify, company: acme, secret: env:D_SECRET }]
partners: [{ id: awin, when: [awc] }]
targets: [{ id: awin, channel: postback, url: "${partner.url}/t?ref={order_id}&cks={click_id}" }]
rules: [{ id: r, company: "*", product: "*", partner: awin, target: awin }]
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
})

const order = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

describe("dispatch idempotency", () => {
  it("sends once when duplicate jobs for the pair run while the first is in flight and after it succeeded", async () => {
    partner.script([{ status: 200, body: "OK", delayMs: 1500 }], { status: 200, body: "OK" })
    const body = JSON.stringify({
      ...order,
      id: 4242,
      admin_graphql_api_id: "gid://shopify/Order/4242",
      landing_site: "/?awc=1001_x"
    })
    await post(
      `${service.baseUrl}/webhooks/shop`,
      body,
      shopifyHeaders(body, "shpss_dup", { "x-shopify-webhook-id": "dup-1" })
    )
    await partner.waitFor(1)
    // The first request is still being answered: three more jobs for the same pair, without job keys.
    const payload = { orderKey: "shop:4242", targetId: "awin", kind: "conversion" }
    for (let i = 0; i < 3; i++)
      await owner`select graphile_worker.add_job('dispatch-order', ${sql.json(payload)}::json)`
    await eventually(async () => {
      const rows =
        await sql`select count(*)::int as n from events where stream_id = 'order-shop:4242' and type = 'DispatchSucceeded'`
      return (rows[0]!.n as number) === 1 ? true : undefined
    })
    // Let the duplicates (rescheduled 30 s later, or run after the success) settle: none sends.
    for (let i = 0; i < 2; i++)
      await owner`select graphile_worker.add_job('dispatch-order', ${sql.json(payload)}::json)`
    await jobsSettled(owner)
    expect(partner.requests.filter((r) => r.url.includes("ref=4242"))).toHaveLength(1)
    const types = (await sql`select type from events where stream_id = 'order-shop:4242'`).map((r) => r.type)
    expect(types.filter((t) => t === "DispatchAttempted")).toHaveLength(1)
  })
})
