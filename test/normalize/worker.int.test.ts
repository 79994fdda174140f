// More webhooks through the worker into the conversions view: a Paddle order, a generic order, a
// Paddle refund that arrives before the payment declaring its shop order (rerouted once the alias is
// known), an order that fails until the configuration is fixed, and a re-normalization after the
// partner rules changed on an order that was already normalized.
import * as fs from "node:fs"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { config as configCommand } from "../../src/cli/config.js"
import type { Sql } from "../../src/db/Db.js"
import { Tokens, TokensLive } from "../../src/tokens/Tokens.js"
import { createToken, postJson, runCli } from "../operations/support.js"
import { appSql, dbLayer } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { paddleHeaders, post, shopifyHeaders, stripeHeaders, wooHeaders } from "../support/signers.js"
import { tempFile } from "../support/tmp.js"

const SECRET = "whsec_normalize_worker"
const ENV = { NW_SECRET: SECRET, S2S_CONFIG_POLL_MS: "200" }
let partner: FakeServer
let service: RunningService
let sql: Sql
let operate: { token: string }
let ingest: string

const configYaml = (fixed: boolean) => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:NW_SECRET }
  - { id: paddle, kind: paddle, company: focus, market: DE, secret: env:NW_SECRET }
  - { id: paddle-shop, kind: paddle, company: billing, ordersOf: shop-de, secret: env:NW_SECRET }
  - { id: web, kind: generic, company: acme, market: DE }
  - { id: woo-uk, kind: woocommerce, company: acme-uk, market: GB, secret: env:NW_SECRET }
  - { id: stripe-uk, kind: stripe, company: billing, ordersOf: woo-uk, secret: env:NW_SECRET }
  - { id: woo-de, kind: woocommerce, company: acme, market: DE, secret: env:NW_SECRET${fixed ? ", currency: EUR" : ""} }
partners: [{ id: ${fixed ? "aaa" : "google"}, when: [gclid] }]
targets: [{ id: sink, channel: postback, url: "${partner.url}/t?ref={order_id}&p={partner}" }]
rules: [{ id: all, company: "*", product: "*", partner: "*", target: sink }]
`

const fixture = (name: string) => fs.readFileSync(`test/fixtures/${name}`, "utf8")

const deliver = async (sourceId: string, body: string, headers: Record<string, string>) => {
  const res = await post(`${service.baseUrl}/webhooks/${sourceId}`, body, headers)
  expect(res.status).toBe(202)
  return ((await res.json()) as { webhookId: string }).webhookId
}

const view = async (orderKey: string) =>
  (
    await sql<Array<{ status: string; partner: string | null; value_minor: string; currency: string }>>`
      select status, partner, value_minor, currency from conversions
      where generation = (select active_generation from projections where name = 'conversions') and order_key = ${orderKey}`
  )[0]

const viewWhere = (orderKey: string, ok: (row: NonNullable<Awaited<ReturnType<typeof view>>>) => boolean) =>
  eventually(async () => {
    const row = await view(orderKey)
    return row !== undefined && ok(row) ? row : undefined
  })

const streamTypes = async (streamId: string) =>
  (
    await sql<Array<{ type: string }>>`select type from events where stream_id = ${streamId} order by stream_version`
  ).map((r) => r.type)

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({ worker: true, env: ENV, config: configYaml(false) })
  sql = appSql(service.databaseUrl)
  operate = await createToken(service.databaseUrl, "operate")
  ingest = (
    await Effect.runPromise(
      Effect.flatMap(Tokens, (t) => t.create({ scope: "ingest", sourceId: "web", actor: "test" })).pipe(
        Effect.provide(Layer.provide(TokensLive, dbLayer(service.databaseUrl)))
      )
    )
  ).token
})

let paddleWebhook: string
let wooWebhook: string

describe("normalization through the worker, per source kind", () => {
  it("a Paddle transaction.completed becomes a paid order with its gclid", async () => {
    const body = fixture("paddle/transaction-completed.json")
    paddleWebhook = await deliver("paddle", body, paddleHeaders(body, SECRET))
    const row = await viewWhere("paddle:txn_01jdv3n5q7s9u1w3y5a7c9e1g3", (r) => r.status === "paid")
    expect(row).toMatchObject({ partner: "google", value_minor: "9401", currency: "EUR" })
  })

  it("a generic order posted with an ingest token", async () => {
    const body = fixture("generic/order-paid.json")
    await deliver("web", body, { "content-type": "application/json", authorization: `Bearer ${ingest}` })
    const row = await viewWhere("web:WEB-2024-000815", (r) => r.status === "paid")
    expect(row).toMatchObject({ partner: "google", currency: "EUR" })
  })

  it("a Paddle refund that arrives before the payment naming its shop order ends on the shop order", async () => {
    const adjustment = fixture("paddle/adjustment-created-shop-order.json")
    const early = await deliver("paddle-shop", adjustment, paddleHeaders(adjustment, SECRET))
    const orphan = "order-paddle-shop:txn_01jdv4f4h6k8m0p2r4t6v8x0z2"
    await eventually(async () => ((await streamTypes(orphan)).includes("OrderRefunded") ? true : undefined))

    const shop = fixture("shopify/orders-paid.json")
    await deliver("shop-de", shop, shopifyHeaders(shop, SECRET, { "x-shopify-topic": "orders/paid" }))
    await viewWhere("shop-de:5678901234567", (r) => r.status === "paid")
    const payment = fixture("paddle/transaction-completed-shop-order.json")
    await deliver("paddle-shop", payment, paddleHeaders(payment, SECRET))

    const row = await viewWhere("shop-de:5678901234567", (r) => r.status === "partially_refunded")
    expect(row.currency).toBe("EUR")
    const [refund] = await sql<Array<{ data: Record<string, unknown> }>>`
      select data from events where stream_id = 'order-shop-de:5678901234567' and type = 'OrderRefunded'`
    expect(refund!.data).toMatchObject({ webhookId: early, viaSource: "paddle-shop", refundedMinor: 1785 })
    expect(await streamTypes(`webhook-${early}`)).toEqual([
      "WebhookReceived",
      "WebhookNormalized",
      "RenormalizationRequested",
      "WebhookNormalized"
    ])
    const [alias] =
      await sql`select order_key from order_aliases where alias = 'paddle-shop:txn_01jdv4f4h6k8m0p2r4t6v8x0z2'`
    expect(alias!.order_key).toBe("shop-de:5678901234567")
  })

  it("a Stripe refund that arrives before the checkout naming its WooCommerce order ends on that order", async () => {
    const charge = JSON.parse(fixture("stripe/charge-refunded-partial.json")) as {
      data: { object: Record<string, unknown> }
    }
    Object.assign(charge.data.object, { payment_intent: "pi_3QTvWxCdEfGh2345zAb67890", currency: "gbp" })
    const refund = JSON.stringify(charge)
    const early = await deliver("stripe-uk", refund, stripeHeaders(refund, SECRET))
    await eventually(async () =>
      (await streamTypes("order-stripe-uk:pi_3QTvWxCdEfGh2345zAb67890")).includes("OrderRefunded") ? true : undefined
    )
    const session = fixture("stripe/checkout-session-completed-shop-order.json")
    await deliver("stripe-uk", session, stripeHeaders(session, SECRET))
    await viewWhere("woo-uk:4526", (r) => r.status === "partially_refunded")
    const [refunded] = await sql<Array<{ data: Record<string, unknown> }>>`
      select data from events where stream_id = 'order-woo-uk:4526' and type = 'OrderRefunded'`
    expect(refunded!.data).toMatchObject({
      webhookId: early,
      viaSource: "stripe-uk",
      refundedMinor: 1500,
      currency: "GBP"
    })
  })

  it("an order whose utm_source says google but has no gclid is searchable as inconsistent tracking", async () => {
    const order = JSON.parse(fixture("generic/order-paid.json")) as Record<string, unknown>
    const body = JSON.stringify({
      ...order,
      id: "WEB-NO-GCLID",
      tracking: { utm: { source: "google", medium: "cpc", campaign: "de_shopping_omega" } }
    })
    await deliver("web", body, { "content-type": "application/json", authorization: `Bearer ${ingest}` })
    await viewWhere("web:WEB-NO-GCLID", (r) => r.status === "paid")
    const audit = await createToken(service.databaseUrl, "audit")
    const search = async (query: string) => {
      const res = await fetch(`${service.baseUrl}/api/v1/orders?${query}`, {
        headers: { authorization: `Bearer ${audit.token}` }
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as { orders: Array<{ orderKey: string }> }).orders.map((o) => o.orderKey)
    }
    expect(await search("tracking=inconsistent")).toEqual(["web:WEB-NO-GCLID"])
    expect(await search("missingTracking=true")).not.toContain("web:WEB-NO-GCLID")
    expect(await search("tracking=ok")).toContain("web:WEB-2024-000815")
  })

  it("a WooCommerce order without currency fails with the reason on the webhook stream", async () => {
    const json = JSON.parse(fixture("woocommerce/order-created-processing.json")) as Record<string, unknown>
    delete json.currency
    const body = JSON.stringify(json)
    wooWebhook = await deliver("woo-de", body, wooHeaders(body, SECRET, "order.created"))
    const failed = await eventually(async () => {
      const rows = await sql<Array<{ data: { reason: string } }>>`
        select data from events where stream_id = ${`webhook-${wooWebhook}`} and type = 'NormalizationFailed'`
      return rows[0]
    })
    expect(failed.data.reason).toBe("currency: missing (and the source has no currency)")
  })
})

describe("after the configuration changes", () => {
  beforeAll(async () => {
    const file = tempFile("nw", "s2s.yaml", configYaml(true))
    const applied = await runCli(configCommand, ["apply", file], service.databaseUrl, { NW_SECRET: SECRET })
    expect(applied.exitCode).toBe(0)
  })

  const renormalize = (payload: unknown) => postJson(`${service.baseUrl}/api/v1/renormalize`, operate.token, payload)

  it("the failed order is re-normalized with the source's currency", async () => {
    const res = await renormalize({ webhookIds: [wooWebhook], dryRun: false, reason: "woo-de currency set" })
    expect(res.body).toMatchObject({ changes: 1, items: [{ action: "requested" }] })
    const row = await viewWhere("woo-de:4523", (r) => r.status === "paid")
    expect(row.currency).toBe("EUR")
  })

  it("an already normalized order takes the new partner rules (same webhook, same modification time)", async () => {
    const dry = await renormalize({ webhookIds: [paddleWebhook] })
    expect(dry.body).toMatchObject({ changes: 1, items: [{ action: "would_renormalize" }] })
    await renormalize({ webhookIds: [paddleWebhook], dryRun: false, reason: "partner rules renamed" })
    const row = await viewWhere("paddle:txn_01jdv3n5q7s9u1w3y5a7c9e1g3", (r) => r.partner === "aaa")
    expect(row.status).toBe("paid")
    // Run twice: the second run changes nothing and says so.
    await eventually(async () =>
      (await streamTypes(`webhook-${paddleWebhook}`)).at(-1) === "WebhookNormalized" ? true : undefined
    )
    const again = await renormalize({ webhookIds: [paddleWebhook] })
    expect(again.body).toMatchObject({ changes: 0, items: [{ action: "unchanged" }] })
  })
})
