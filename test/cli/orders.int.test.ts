// `s2s orders show` and `s2s orders log` as an operator runs them: the real binary against the
// database of a running service that has dispatched one order.
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import type { OrderLog } from "../../src/orders/log.js"
import type { OrderView } from "../../src/orders/view.js"
import { deliver, s2s, shopifyOrder } from "../orders/support.js"
import { appSql } from "../support/db.js"
import { eventually, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"

const SECRET = "shpss_cli_orders"
let service: RunningService
let sql: Sql

beforeAll(async () => {
  const partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { C_SHOPIFY_SECRET: SECRET },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:C_SHOPIFY_SECRET }
partners:
  - { id: awin, when: [awc] }
targets:
  - { id: awin, channel: postback, url: "${partner.url}/sale?ref={order_id}&cks={click_id}" }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
`
  })
  sql = appSql(service.databaseUrl)
  const body = shopifyOrder({ id: 7001, createdAt: "2026-11-02T10:00:00Z", landing: "/?awc=9_9_cli" })
  await deliver(service.baseUrl, "shop-de", SECRET, body, "wh-7001")
  await eventually(async () => {
    const rows = await sql`select 1 from events where stream_id = 'order-shop-de:7001' and type = 'DispatchSucceeded'`
    return rows.length > 0 ? true : undefined
  })
})

describe("s2s orders show", () => {
  it("prints the current view readably, personal data masked", async () => {
    const { code, stdout, stderr } = await s2s(["orders", "show", "shop-de:7001"], service.databaseUrl)
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toContain("Order shop-de:7001 (#7001), shopify order 7001 from shop-de")
    expect(stdout).toMatch(/status\s+paid/)
    expect(stdout).toMatch(/value\s+63\.26 EUR/)
    expect(stdout).toMatch(/identity\s+company acme, market DE, partner awin/)
    expect(stdout).toContain("awc=9_9_cli")
    expect(stdout).toContain("l***@example.de")
    expect(stdout).not.toContain("lena.mueller@example.de")
    expect(stdout).toMatch(/awin\s+conversion\s+postback\s+awin-all\s+succeeded\s+1/)
  })

  it("prints the API's JSON view with --json", async () => {
    const { code, stdout } = await s2s(["orders", "show", "shop-de:7001", "--json"], service.databaseUrl)
    expect(code).toBe(0)
    const view = JSON.parse(stdout) as OrderView
    expect(view).toMatchObject({
      orderKey: "shop-de:7001",
      status: "paid",
      partner: "awin",
      masked: true,
      dispatchState: "delivered",
      value: { amountMinor: 6326, currency: "EUR", amount: "63.26" },
      customer: { email: "l***@example.de" }
    })
    const clear = JSON.parse(
      (await s2s(["orders", "show", "--json", "--reveal", "shop-de:7001"], service.databaseUrl)).stdout
    ) as OrderView
    expect(clear.customer?.email).toBe("lena.mueller@example.de")
  })

  it("fails with exit 1 and a message on stderr for an unknown order, exit 2 for a usage error", async () => {
    const unknown = await s2s(["orders", "show", "shop-de:404"], service.databaseUrl)
    expect(unknown.code).toBe(1)
    expect(unknown.stdout).toBe("")
    expect(unknown.stderr).toContain("no order shop-de:404")
    const usage = await s2s(["orders", "show"], service.databaseUrl)
    expect(usage.code).toBe(2)
    expect(usage.stdout + usage.stderr).toContain("ORDER_KEY")
  })
})

describe("s2s orders log", () => {
  it("prints a timeline: stage, status, target, duration and what happened, oldest first", async () => {
    const { code, stdout } = await s2s(["orders", "log", "shop-de:7001"], service.databaseUrl)
    expect(code).toBe(0)
    const lines = stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^TIME\s+STAGE\s+STATUS\s+TARGET\s+DURATION\s+WHAT HAPPENED$/)
    const stages = lines.slice(2).map((l) => l.split(/\s+/)[1])
    expect(stages).toEqual(["ingest", "normalize", "normalize", "route", "normalize", "dispatch", "dispatch"])
    expect(stdout).toMatch(/ingest\s+accepted\s+webhook .* from shop-de \(orders\/paid, \d+\.\d KB\)/)
    expect(stdout).toMatch(/route\s+planned\s+awin\s+conversion via rule awin-all \(postback, trigger paid\)/)
    expect(stdout).toMatch(/dispatch\s+HTTP 200\s+awin\s+\d+ ms\s+attempt 1: GET 127\.0\.0\.1:\d+\/sale$/m)
    expect(stdout).toMatch(/dispatch\s+succeeded\s+awin\s+delivered/)
    expect(stdout).not.toContain("lena.mueller")
  })

  it("prints the raw events with --json, masked unless --reveal", async () => {
    const { code, stdout } = await s2s(["orders", "log", "shop-de:7001", "--json"], service.databaseUrl)
    expect(code).toBe(0)
    const log = JSON.parse(stdout) as OrderLog
    expect(log.masked).toBe(true)
    expect(log.events.map((e) => e.type)).toEqual([
      "WebhookReceived",
      "OrderNormalized",
      "PaymentUpdated",
      "DispatchPlanned",
      "WebhookNormalized",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchSucceeded"
    ])
    expect(stdout).not.toContain("lena.mueller@example.de")
    const clear = JSON.parse(
      (await s2s(["orders", "log", "shop-de:7001", "--json", "--reveal"], service.databaseUrl)).stdout
    ) as OrderLog
    expect(JSON.stringify(clear.events[0]!.data)).toContain("lena.mueller@example.de")
  })
})
