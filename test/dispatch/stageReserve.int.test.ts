// Slow partners cannot stop normalization. A partner that holds every request open keeps each batch
// of its dispatches in a job that holds a worker slot for as long as the request hangs, and one
// target's dispatches go to up to four batch keys. Before the dispatch limits (src/dispatch/Breakers.ts),
// such batches could take every slot and no webhook was normalized until the partners answered:
// - two slots, one hanging target (its concurrency the default 8): one target now leaves a slot;
// - four slots, two hanging targets: all targets together now run on at most three.
// Every order is normalized and planned while the requests hang, and delivered once they are answered.
import * as fs from "node:fs"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { shardOf } from "../../src/rules/plan.js"
import { onCleanup } from "../support/cleanup.js"
import { appSql } from "../support/db.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { waitUntil } from "../support/wait.js"

const SECRET = "shpss_reserve"
const order = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

/** A partner that holds every request until released. */
const hangingPartner = async () => {
  const held: Array<ServerResponse> = []
  let released = false
  const server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      if (released) res.writeHead(200).end("OK")
      else held.push(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    release: () => {
      released = true
      for (const res of held.splice(0)) res.writeHead(200).end("OK")
    }
  }
}

const scenario = (slots: number, targets: ReadonlyArray<string>, ids: ReadonlyArray<number>) => {
  let partner: Awaited<ReturnType<typeof hangingPartner>>
  let service: RunningService
  let sql: Sql

  beforeAll(async () => {
    partner = await hangingPartner()
    service = await startService({
      worker: true,
      env: { SR_SECRET: SECRET, WORKER_CONCURRENCY: String(slots) },
      config: `
sources: [{ id: shop, kind: shopify, company: acme, secret: env:SR_SECRET }]
partners: [{ id: awin, when: [awc] }]
targets: [${targets.map((t) => `{ id: ${t}, channel: postback, url: "${partner.url}/${t}?ref={order_id}", timeout: 60s }`).join(", ")}]
rules: [${targets.map((t) => `{ id: r-${t}, company: "*", product: "*", partner: awin, target: ${t} }`).join(", ")}]
`
    })
    sql = appSql(service.databaseUrl)
  })

  const deliver = async (id: number) => {
    const body = JSON.stringify({
      ...order,
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      landing_site: "/?awc=1_r"
    })
    const res = await post(
      `${service.baseUrl}/webhooks/shop`,
      body,
      shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `sr-${id}` })
    )
    expect(res.status).toBe(202)
  }
  const count = async (type: string) =>
    (
      await sql<Array<{ n: number }>>`
        select count(*)::int as n from events where type = ${type} and stream_id like 'order-shop:%'`
    )[0]!.n

  it(`plans every order while ${targets.length} partner(s) hold their requests open on ${slots} slots`, async () => {
    // The orders fall on enough batch keys that, unlimited, the hanging batches would take every slot.
    expect(new Set(ids.map((id) => shardOf(`shop:${id}`))).size * targets.length).toBeGreaterThanOrEqual(slots)
    try {
      for (const [i, id] of ids.entries()) {
        await deliver(id)
        await waitUntil(
          `order ${id} planned while the partners hold their requests`,
          async () => (await count("DispatchPlanned")) >= i + 1
        )
      }
      expect(partner.held.length).toBeGreaterThanOrEqual(1)
      expect(await count("DispatchSucceeded")).toBe(0)
    } finally {
      partner.release()
    }
    // Deferred, not failed: every dispatch reaches the partner once it answers.
    const all = ids.length * targets.length
    await waitUntil("every order delivered", async () => (await count("DispatchSucceeded")) === all, 30_000)
    expect(await count("DispatchFailed")).toBe(0)
  })
}

describe("one hanging target on two worker slots", () => {
  scenario(2, ["slow"], [501, 502, 503, 504, 505, 506, 507, 508])
})

describe("two hanging targets on four worker slots", () => {
  scenario(4, ["slow1", "slow2"], [601, 602, 603, 604, 605, 606, 607, 608])
})
