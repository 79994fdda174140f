// Through the real dispatcher: the landing URL Meta gets as event_source_url keeps click ids, utm_*
// and the click-id parameters the configuration knows (here `bid`, a key the source reads its click id
// from), and nothing else; the request recorded in the order's log is the same.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const SECRET = "shpss_landing"
let graph: FakeServer
let service: RunningService
let sql: Sql

beforeAll(async () => {
  graph = await fakeServer()
  graph.script([], { status: 200, body: JSON.stringify({ events_received: 1, fbtrace_id: "AbC" }) })
  service = await startService({
    worker: true,
    env: { L_SHOPIFY: SECRET, META_GRAPH_URL: graph.url, L_META: "EAAB-landing" },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:L_SHOPIFY, tracking: { clickid: [bid] } }
partners:
  - { id: adcell, when: [clickid] }
targets:
  - { id: meta-acme, channel: meta-capi, pixelId: "112233", accessToken: env:L_META }
rules:
  - { id: meta, company: "*", product: "*", partner: "*", target: meta-acme }
`
  })
  sql = appSql(service.databaseUrl)
})

describe("event_source_url sent to Meta", () => {
  it("keeps only allow-listed parameters; the recorded request matches what was sent", async () => {
    const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<
      string,
      unknown
    >
    const now = new Date().toISOString()
    const body = JSON.stringify({
      ...fixture,
      id: 930001,
      created_at: now,
      processed_at: now,
      updated_at: now,
      landing_site:
        "https://www.acme.de/landing?bid=778899&email=lena.mueller%40example.de&gclid=Cj0KCQ&utm_source=newsletter&name=Lena#x"
    })
    const res = await post(
      `${service.baseUrl}/webhooks/shop-de`,
      body,
      shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": "l-1" })
    )
    expect(res.status).toBe(202)
    const [request] = await graph.waitFor(1)
    const sent = (JSON.parse(request!.body) as { data: Array<{ event_source_url: string }> }).data[0]!
    expect(sent.event_source_url).toBe("https://www.acme.de/landing?bid=778899&gclid=Cj0KCQ&utm_source=newsletter")
    expect(request!.body).not.toMatch(/lena\.mueller|Lena/)
    const recorded = await eventually(async () => {
      const rows = await sql<Array<{ data: { exchanges: Array<{ request: { body: string } }> } }>>`
        select data from events where type = 'DispatchAttempted' and stream_id = 'order-shop-de:930001'`
      return rows[0]?.data.exchanges[0]?.request.body
    })
    expect(recorded).toContain(
      '"event_source_url":"https://www.acme.de/landing?bid=778899&gclid=Cj0KCQ&utm_source=newsletter"'
    )
  })
})
