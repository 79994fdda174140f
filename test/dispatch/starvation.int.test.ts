// A slow target cannot starve the others: with two worker slots and a target (concurrency 1) whose
// first request hangs, the other target's orders are all delivered while that request is still
// open. Before, its waiting jobs sat on the worker slots until the slow request ended.
import * as fs from "node:fs"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { onCleanup } from "../support/cleanup.js"
import { appSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

/** A destination that holds every request until released. */
const heldServer = async () => {
  const held: Array<{ url: string; res: ServerResponse }> = []
  let released = false
  const server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      if (released) res.writeHead(200).end("OK")
      else held.push({ url: req.url ?? "", res })
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
      for (const h of held.splice(0)) h.res.writeHead(200).end("OK")
    }
  }
}

let slow: Awaited<ReturnType<typeof heldServer>>
let fast: FakeServer
let service: RunningService
let sql: Sql

beforeAll(async () => {
  slow = await heldServer()
  fast = await fakeServer()
  service = await startService({
    worker: true,
    env: { ST_SECRET: "shpss_starve", WORKER_CONCURRENCY: "2" },
    config: `
sources: [{ id: shop, kind: shopify, company: acme, secret: env:ST_SECRET }]
partners: [{ id: awin, when: [awc] }]
targets:
  - { id: slow, channel: postback, url: "${slow.url}/s?ref={order_id}", concurrency: 1, timeout: 60s }
  - { id: fast, channel: postback, url: "${fast.url}/f?ref={order_id}" }
rules:
  - { id: r1, company: "*", product: "*", partner: awin, target: slow }
  - { id: r2, company: "*", product: "*", partner: awin, target: fast }
`
  })
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
    shopifyHeaders(body, "shpss_starve", { "x-shopify-webhook-id": `s-${id}` })
  )
}
const succeeded = async (targetId: string) =>
  (
    await sql<Array<{ n: number }>>`
      select count(*)::int as n from events where type = 'DispatchSucceeded' and data->>'targetId' = ${targetId}`
  )[0]!.n

describe("per-target concurrency", () => {
  it("delivers every order to the fast target while the slow target's only request is still open", async () => {
    const ids = [1, 2, 3, 4, 5]
    for (const id of ids) await deliver(id)
    await eventually(async () => (slow.held.length >= 1 ? true : undefined))
    await eventually(async () => ((await succeeded("fast")) === ids.length ? true : undefined), 30_000)
    // Ordering, not timing: all five went to the fast target before the slow one answered once.
    expect(slow.held).toHaveLength(1)
    expect(await succeeded("slow")).toBe(0)
    const timeouts = await sql`select 1 from events where type = 'DispatchFailed' and data->>'reason' = 'Timeout'`
    expect(timeouts).toHaveLength(0)
    slow.release()
    // The slow target's waiting orders were rescheduled, not failed: they all go out afterwards.
    await eventually(async () => ((await succeeded("slow")) === ids.length ? true : undefined), 30_000)
    const failed = await sql`select 1 from events where type = 'DispatchFailed'`
    expect(failed).toHaveLength(0)
  })
})
