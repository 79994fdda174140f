// Re-dispatch through the real service: a postback dead-lettered by a partner outage (one attempt
// allowed, the partner answers 500) is re-dispatched once the partner is fixed. The dry run lists the
// exact request and sends nothing; a confirmation sends once; again without force nothing; with force
// once more; two concurrent confirmations once.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { jobsSettled } from "../support/wait.js"
import { createToken, postJson } from "./support.js"

const SECRET = "shpss_redispatch"
const ORDER = "shop-de:910001"
let partner: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql
let operate: { tokenId: string; token: string }
let audit: { token: string }

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
const body = JSON.stringify({
  ...fixture,
  id: 910001,
  admin_graphql_api_id: "gid://shopify/Order/910001",
  name: "#910001",
  landing_site: "/products/vitamin-d3?awc=1001_1732871512_abc&utm_source=awin"
})

const events = (type?: string) =>
  sql<Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>>`
    select type, data, metadata from events where stream_id = ${`order-${ORDER}`}
    ${type === undefined ? sql`` : sql`and type = ${type}`} order by stream_version`
const count = async (type: string) => (await events(type)).length
const redispatch = (payload: unknown, token = operate.token) =>
  postJson(`${service.baseUrl}/api/v1/redispatch`, token, payload)

beforeAll(async () => {
  partner = await fakeServer()
  partner.script([], { status: 500, body: "partner down" })
  service = await startService({
    worker: true,
    env: { RD_SHOPIFY_SECRET: SECRET },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:RD_SHOPIFY_SECRET }
partners:
  - { id: awin, when: [awc] }
targets:
  - id: awin
    channel: postback
    url: "${partner.url}/sread.php?tt=ss&merchant=1001&amount={amount}&cr={currency}&ref={order_id}&cks={click_id}"
    retry: { maxAttempts: 1 }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
  operate = await createToken(service.databaseUrl, "operate")
  audit = await createToken(service.databaseUrl, "audit")
  const res = await post(`${service.baseUrl}/webhooks/shop-de`, body, shopifyHeaders(body, SECRET))
  expect(res.status).toBe(202)
  await eventually(async () => ((await count("DispatchDeadLettered")) === 1 ? true : undefined))
  // The projection nominates orders for a selection by target and state.
  await eventually(async () => {
    const [row] = await sql`select dispatch_state from conversions where order_key = ${ORDER}`
    return row?.dispatch_state === "dead_lettered" ? true : undefined
  })
})

const URL_SENT = "/sread.php?tt=ss&merchant=1001&amount=63.26&cr=EUR&ref=910001&cks=1001_1732871512_abc"

describe("POST /api/v1/redispatch", () => {
  it("dry run (the default) lists the dead-lettered postback with its exact request and sends nothing", async () => {
    partner.script([], { status: 200, body: "OK" })
    const res = await redispatch({ target: "awin", state: "dead_lettered" })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ dryRun: true, selected: 1, send: 1, skipped: 0, notFound: [], truncated: false })
    expect(res.body.items).toEqual([
      {
        orderKey: ORDER,
        targetId: "awin",
        kind: "conversion",
        channel: "postback",
        state: "dead_lettered",
        attempts: 1,
        action: "would_send",
        summary: `GET ${partner.url}${URL_SENT}`,
        request: { method: "GET", url: `${partner.url}${URL_SENT}`, headers: {} }
      }
    ])
    await jobsSettled(owner)
    expect(partner.requests).toHaveLength(1)
    expect(await count("DispatchRequested")).toBe(0)
  })

  it("on confirmation records who asked and sends exactly once, the same request", async () => {
    const res = await redispatch({ orderKeys: [ORDER], dryRun: false, reason: "awin outage is over" })
    expect(res.body).toMatchObject({ dryRun: false, send: 1, items: [{ action: "requested", state: "dead_lettered" }] })
    await partner.waitFor(2)
    expect(partner.requests[1]!.url).toBe(URL_SENT)
    await eventually(async () => ((await count("DispatchSucceeded")) === 1 ? true : undefined))
    const [request] = await events("DispatchRequested")
    expect(request!.data).toEqual({
      orderKey: ORDER,
      targetId: "awin",
      kind: "conversion",
      reason: "awin outage is over",
      actor: `token:${operate.tokenId}`,
      force: false
    })
    expect(request!.metadata).toMatchObject({ actor: `token:${operate.tokenId}`, source: "api:redispatch" })
    expect((await events("DispatchAttempted")).map((e) => e.data.trigger)).toEqual(["scheduled", "operator"])
  })

  it("a second confirmation without force is skipped as delivered and sends nothing", async () => {
    const before = (await events()).length
    const res = await redispatch({ orderKeys: [ORDER], dryRun: false })
    expect(res.body).toMatchObject({
      send: 0,
      skipped: 1,
      items: [{ action: "skipped", state: "succeeded", reason: "already delivered (use --force)" }]
    })
    await jobsSettled(owner)
    expect(partner.requests).toHaveLength(2)
    expect((await events()).length).toBe(before)
  })

  it("with force sends once more", async () => {
    const res = await redispatch({ orderKeys: [ORDER], force: true, dryRun: false })
    expect(res.body).toMatchObject({ force: true, send: 1, items: [{ action: "requested", state: "succeeded" }] })
    await partner.waitFor(3)
    await eventually(async () => ((await count("DispatchSucceeded")) === 2 ? true : undefined))
    await jobsSettled(owner)
    expect(partner.requests).toHaveLength(3)
    expect(partner.requests[2]!.url).toBe(URL_SENT)
  })

  it("two concurrent forced confirmations of the same selection send once", async () => {
    // The partner answers slowly, so both confirmations run while the first request is in flight.
    partner.script([{ status: 200, body: "OK", delayMs: 1000 }], { status: 200, body: "OK" })
    const [a, b] = await Promise.all([
      redispatch({ orderKeys: [ORDER], force: true, dryRun: false }),
      redispatch({ target: "awin", from: "2020-01-01", force: true, dryRun: false })
    ])
    const actions = [a, b].map((r) => (r.body.items as Array<{ action: string }>)[0]?.action).sort()
    expect(actions).toEqual(["requested", "skipped"])
    await eventually(async () => ((await count("DispatchSucceeded")) === 3 ? true : undefined))
    await jobsSettled(owner)
    expect(partner.requests).toHaveLength(4)
    expect(await count("DispatchRequested")).toBe(3)
  })

  it("needs scope operate and a bounded, well-formed selection", async () => {
    expect(await redispatch({ orderKeys: [ORDER] }, audit.token)).toMatchObject({
      status: 403,
      body: { error: "insufficient_scope" }
    })
    const ingest = await createToken(service.databaseUrl, "ingest", "shop-de")
    expect(await redispatch({ orderKeys: [ORDER] }, ingest.token)).toMatchObject({
      status: 403,
      body: { error: "insufficient_scope", message: expect.stringContaining("ingest token") }
    })
    expect((await redispatch({ orderKeys: [ORDER] }, "")).status).toBe(401)
    expect((await redispatch({ orderKeys: [ORDER] }, "s2s_operate_unknown")).status).toBe(401)
    expect(await redispatch({ dryRun: false, force: true })).toEqual({
      status: 400,
      body: {
        error: "bad_request",
        message: "select what to re-dispatch: give orderKeys, a target, a state or a time range"
      }
    })
    const typo = await redispatch({ orderkeys: [ORDER], target: "awin" })
    expect(typo.status).toBe(400)
    expect(typo.body.message).toContain("orderkeys")
    expect((await redispatch("{not json")).body).toMatchObject({ error: "bad_request" })
    expect((await redispatch({ target: "awin", from: "last week" })).body).toEqual({
      error: "bad_request",
      message: 'from is not an ISO 8601 date or time: "last week"'
    })
    expect(await redispatch({ orderKeys: ["shop-de:404"] })).toMatchObject({
      status: 200,
      body: { selected: 0, notFound: ["shop-de:404"] }
    })
  })
})
