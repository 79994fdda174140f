// POST /api/v1/projections/{name}/rebuild through the real service: the conversions rebuild produces
// the same rows as the live projection (the report says 0 changed) while the live view keeps
// answering; scope operate, 404 for an unknown projection, 409 while a rebuild runs.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { deliberatePause } from "../support/wait.js"
import { createToken, postJson } from "./support.js"

const SECRET = "shpss_rebuild"
const ORDERS = [930001, 930002, 930003]
let partner: FakeServer
let service: RunningService
let sql: Sql
let operate: { token: string }

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

const liveRows = () =>
  sql<Array<{ row: Record<string, unknown> }>>`
    select to_jsonb(c) - 'generation' as row from conversions c
    where generation = (select active_generation from projections where name = 'conversions')
    order by order_key`
const rebuild = (name: string, token = operate.token) =>
  postJson(`${service.baseUrl}/api/v1/projections/${name}/rebuild`, token, {})

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { PB_SHOPIFY_SECRET: SECRET },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:PB_SHOPIFY_SECRET }
partners:
  - { id: awin, when: [awc] }
targets:
  - { id: awin, channel: postback, url: "${partner.url}/p?ref={order_id}&cks={click_id}" }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
`
  })
  sql = appSql(service.databaseUrl)
  operate = await createToken(service.databaseUrl, "operate")
  for (const id of ORDERS) {
    const body = JSON.stringify({ ...fixture, id, name: `#${id}`, landing_site: `/?awc=1001_${id}_abc` })
    const res = await post(
      `${service.baseUrl}/webhooks/shop-de`,
      body,
      shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `rb-${id}` })
    )
    expect(res.status).toBe(202)
  }
  await eventually(async () => {
    const rows = await sql`select dispatch_state from conversions where dispatch_state = 'delivered'`
    return rows.length === ORDERS.length ? true : undefined
  }, 30_000)
})

describe("POST /api/v1/projections/{name}/rebuild", () => {
  it("rebuilds conversions to the same rows while the live view keeps answering", async () => {
    const before = await liveRows()
    expect(before).toHaveLength(ORDERS.length)
    let rebuilding = true
    const seen: Array<number> = []
    const watch = (async () => {
      while (rebuilding) {
        seen.push((await liveRows()).length)
        await deliberatePause(5, "pacing")
      }
    })()
    const res = await rebuild("conversions").finally(() => (rebuilding = false))
    await watch
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      projection: "conversions",
      fromGeneration: 1,
      toGeneration: 2,
      rows: ORDERS.length,
      added: 0,
      removed: 0,
      changed: 0,
      samples: []
    })
    expect(res.body.events).toBeGreaterThan(ORDERS.length * 4)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((n) => n === ORDERS.length)).toBe(true)
    expect(await liveRows()).toEqual(before)
    expect((await sql`select count(*)::int as n from conversions where generation = 1`)[0]!.n).toBe(0)
  })

  it("answers 409 while a rebuild of the projection is running", async () => {
    const session = await sql.reserve()
    try {
      await session`select pg_advisory_lock(hashtext('rebuild:stream_summaries'))`
      expect(await rebuild("stream_summaries")).toEqual({
        status: 409,
        body: { error: "conflict", message: "a rebuild of stream_summaries is already running" }
      })
    } finally {
      await session`select pg_advisory_unlock(hashtext('rebuild:stream_summaries'))`
      session.release()
    }
    expect((await rebuild("stream_summaries")).body).toMatchObject({ projection: "stream_summaries", changed: 0 })
  })

  it("needs scope operate and a known projection", async () => {
    const audit = await createToken(service.databaseUrl, "audit")
    expect(await rebuild("conversions", audit.token)).toMatchObject({
      status: 403,
      body: { error: "insufficient_scope" }
    })
    expect(await rebuild("orders")).toEqual({
      status: 404,
      body: {
        error: "not_found",
        message: 'no projection "orders" (known: stream_summaries, conversions, dispatch_facts)'
      }
    })
  })
})
