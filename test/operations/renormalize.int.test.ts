// Re-normalization through the real service: a webhook accepted while its source was configured is
// normalized only after an s2s.yaml without that source was applied, so it fails ("no longer
// configured"). Once the source is back, the dry run shows the change, the confirmation applies it
// (the order is created and dispatched), and a second run appends nothing.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { config as configCommand } from "../../src/cli/config.js"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { tempFile } from "../support/tmp.js"
import { jobsSettled } from "../support/wait.js"
import { createToken, postJson, runCli } from "./support.js"

const SECRET = "shpss_renormalize"
let partner: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql
let operate: { tokenId: string; token: string }
let webhookId: string

const configYaml = (withAt: boolean) => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:RN_SHOPIFY_SECRET }
${withAt ? "  - { id: shop-at, kind: shopify, company: acme, market: AT, secret: env:RN_SHOPIFY_SECRET }" : ""}
partners:
  - { id: awin, when: [awc] }
targets:
  - { id: awin, channel: postback, url: "${partner.url}/p?ref={order_id}&cks={click_id}" }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
`

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
const body = JSON.stringify({
  ...fixture,
  id: 920001,
  admin_graphql_api_id: "gid://shopify/Order/920001",
  name: "#920001",
  landing_site: "/products/vitamin-d3?awc=1001_1732871512_xyz"
})

const webhookEvents = () =>
  sql<Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>>`
    select type, data, metadata from events where stream_id = ${`webhook-${webhookId}`} order by stream_version`
const totalEvents = async () => Number((await sql`select count(*)::int as n from events`)[0]!.n)
const renormalize = (payload: unknown, token = operate.token) =>
  postJson(`${service.baseUrl}/api/v1/renormalize`, token, payload)

beforeAll(async () => {
  partner = await fakeServer()
  const env = { RN_SHOPIFY_SECRET: SECRET, S2S_CONFIG_POLL_MS: "200" }
  // The webhook arrives while shop-at is configured; no worker normalizes it yet.
  const receiver = await startService({ config: configYaml(true), env })
  const res = await post(`${receiver.baseUrl}/webhooks/shop-at`, body, shopifyHeaders(body, SECRET))
  expect(res.status).toBe(202)
  webhookId = ((await res.json()) as { webhookId: string }).webhookId
  await receiver.stop()
  // Then an s2s.yaml without shop-at is applied, and the worker starts.
  service = await startService({ config: configYaml(false), worker: true, env, databaseUrl: receiver.databaseUrl })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
  operate = await createToken(service.databaseUrl, "operate")
  await eventually(async () =>
    (await webhookEvents()).some((e) => e.type === "NormalizationFailed") ? true : undefined
  )
})

describe("POST /api/v1/renormalize", () => {
  it("finds the failure, and while the cause remains, nothing would change", async () => {
    const res = await renormalize({})
    expect(res.body).toMatchObject({ dryRun: true, selected: 1, changes: 0, unchanged: 1 })
    expect(res.body.items).toMatchObject([
      {
        webhookId,
        sourceId: "shop-at",
        topic: "orders/paid",
        before: "failed: source shop-at is no longer configured",
        after: "failed: source shop-at is no longer configured",
        orderEvents: [],
        action: "unchanged"
      }
    ])
  })

  it("after the configuration is fixed, the dry run shows the change and records nothing", async () => {
    const file = tempFile("rn", "s2s.yaml", configYaml(true))
    const applied = await runCli(configCommand, ["apply", file], service.databaseUrl, { RN_SHOPIFY_SECRET: SECRET })
    expect(applied.exitCode).toBe(0)
    const before = await totalEvents()
    const res = await renormalize({ state: "failed" })
    expect(res.body).toMatchObject({ dryRun: true, selected: 1, changes: 1 })
    expect(res.body.items).toMatchObject([
      {
        webhookId,
        before: "failed: source shop-at is no longer configured",
        after: "order shop-at:920001: OrderNormalized, PaymentUpdated, DispatchPlanned (awin)",
        orderKey: "shop-at:920001",
        action: "would_renormalize"
      }
    ])
    expect(await totalEvents()).toBe(before)
  })

  it("on confirmation requests the re-run, which normalizes and dispatches the order", async () => {
    const res = await renormalize({ dryRun: false, reason: "shop-at is back in s2s.yaml" })
    expect(res.body).toMatchObject({ dryRun: false, changes: 1, items: [{ action: "requested" }] })
    const [request] = await partner.waitFor(1)
    expect(request!.url).toBe("/p?ref=920001&cks=1001_1732871512_xyz")
    const events = await eventually(async () => {
      const e = await webhookEvents()
      return e.at(-1)?.type === "WebhookNormalized" ? e : undefined
    })
    expect(events.map((e) => e.type)).toEqual([
      "WebhookReceived",
      "NormalizationFailed",
      "RenormalizationRequested",
      "WebhookNormalized"
    ])
    const requested = events[2]!
    expect(requested.data).toEqual({
      webhookId,
      reason: "shop-at is back in s2s.yaml",
      actor: `token:${operate.tokenId}`
    })
    expect(requested.metadata).toMatchObject({ actor: `token:${operate.tokenId}`, source: "api:renormalize" })
    expect(events[3]!.data).toMatchObject({ orderKey: "shop-at:920001", outcome: "changed" })
  })

  it("a second run changes nothing and appends nothing", async () => {
    await eventually(async () => {
      const [row] = await sql`select count(*)::int as n from events where type = 'DispatchSucceeded'`
      return row!.n === 1 ? true : undefined
    })
    const before = await totalEvents()
    expect((await renormalize({ dryRun: false })).body).toMatchObject({ selected: 0, changes: 0 })
    const again = await renormalize({ webhookIds: [webhookId], dryRun: false })
    expect(again.body).toMatchObject({
      selected: 1,
      changes: 0,
      items: [{ action: "unchanged", before: "changed: order shop-at:920001 (OrderNormalized, PaymentUpdated)" }]
    })
    await jobsSettled(owner)
    expect(await totalEvents()).toBe(before)
    expect(partner.requests).toHaveLength(1)
  })

  it("needs scope operate and a bounded selection", async () => {
    const audit = await createToken(service.databaseUrl, "audit")
    expect(await renormalize({}, audit.token)).toMatchObject({ status: 403, body: { error: "insufficient_scope" } })
    expect(await renormalize({ state: "all" })).toMatchObject({ status: 400, body: { error: "bad_request" } })
    expect((await renormalize({ webhookIds: ["no-such-webhook"] })).body).toMatchObject({
      selected: 0,
      notFound: ["no-such-webhook"]
    })
  })
})
