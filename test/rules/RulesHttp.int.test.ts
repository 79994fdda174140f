// The rules API through the real service: the rule set with its history after a second apply, and
// the explanation of a dispatched order under the current rules next to what was recorded then.
import { Effect, Either, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { ConfigState, ConfigStateLive } from "../../src/config/ConfigState.js"
import { parseConfig } from "../../src/config/load.js"
import type { Sql } from "../../src/db/Db.js"
import type { RuleExplanation, RulesList } from "../../src/rules/RulesApi.js"
import { createToken, deliver, getJson, shopifyOrder } from "../orders/support.js"
import { appSql, dbLayer } from "../support/db.js"
import { eventually, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"

const SECRET = "shpss_rules_api"
let service: RunningService
let sql: Sql
let audit: string

const config = (postbackUrl: string, rules: string) => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:R_SHOPIFY_SECRET }
partners:
  - { id: meta, when: [fbclid] }
  - { id: awin, when: [awc] }
targets:
  - { id: awin, channel: postback, url: "${postbackUrl}/sale?ref={order_id}" }
  - { id: meta-acme, channel: meta-capi, pixelId: "123", accessToken: env:R_META_TOKEN }
rules:
${rules}`

const FIRST = `
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: acme-meta, company: acme, product: "*", partner: meta, target: meta-acme }
  - { id: no-samples, company: "*", product: "sample-*", partner: "*", exclude: true }`

const SECOND = `
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: no-samples, company: "*", product: "sample-*", partner: "*", exclude: true, description: "samples are free" }
  - { id: beta-awin, company: beta, product: "*", partner: awin, target: awin }`

const api = (path: string) => `${service.baseUrl}/api/v1${path}`

beforeAll(async () => {
  const partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { R_SHOPIFY_SECRET: SECRET, R_META_TOKEN: "meta-token" },
    config: config(partner.url, FIRST)
  })
  sql = appSql(service.databaseUrl)
  audit = await createToken(service.databaseUrl, "audit")
  const body = shopifyOrder({ id: 5001, createdAt: "2026-11-02T10:00:00Z", landing: "/?awc=77_1_x" })
  await deliver(service.baseUrl, "shop-de", SECRET, body, "wh-5001")
  await eventually(async () => {
    const rows = await sql`select 1 from events where stream_id = 'order-shop-de:5001' and type = 'DispatchSucceeded'`
    return rows.length > 0 ? true : undefined
  })
  // A second apply by an operator: one rule changed, one removed, one added.
  const file = parseConfig(config(partner.url, SECOND), "s2s.yaml")
  if (Either.isLeft(file)) throw file.left
  await Effect.runPromise(
    Effect.flatMap(ConfigState, (state) => state.apply(file.right, { actor: "cli:bob" })).pipe(
      Effect.provide(ConfigStateLive.pipe(Layer.provide(dbLayer(service.databaseUrl))))
    )
  )
})

describe("GET /api/v1/rules", () => {
  it("lists the current rules in position order with who changed what and when, then the removed ones", async () => {
    const { status, body } = await getJson<RulesList>(api("/rules"), audit)
    expect(status).toBe(200)
    expect(body.rules.map((r) => [r.ruleId, r.position, r.current])).toEqual([
      ["awin-all", 0, true],
      ["no-samples", 1, true],
      ["beta-awin", 2, true]
    ])
    const noSamples = body.rules[1]!
    expect(noSamples.rule).toEqual({
      id: "no-samples",
      company: "*",
      product: "sample-*",
      partner: "*",
      exclude: true,
      description: "samples are free"
    })
    expect(noSamples.history.map((h) => [h.type, h.actor, h.changedFields])).toEqual([
      ["RuleDefined", "test", []],
      ["RuleChanged", "cli:bob", ["description", "position"]]
    ])
    expect(Date.parse(noSamples.history[1]!.at)).toBeGreaterThanOrEqual(Date.parse(noSamples.history[0]!.at))
    expect(body.removed).toEqual([
      expect.objectContaining({
        ruleId: "acme-meta",
        current: false,
        position: null,
        history: [
          expect.objectContaining({ type: "RuleDefined", actor: "test" }),
          expect.objectContaining({ type: "RuleRemoved", actor: "cli:bob" })
        ]
      })
    ])
    expect((await getJson(api("/rules"))).status).toBe(401)
  })
})

describe("GET /api/v1/rules/explain", () => {
  it("explains the order with the current rules and shows the decisions recorded when it was planned", async () => {
    const { status, body } = await getJson<RuleExplanation>(api("/rules/explain?orderKey=shop-de%3A5001"), audit)
    expect(status).toBe(200)
    expect(body.order).toEqual({ company: "acme", products: ["VIT-D3-1000", "OMG-3-60"], partner: "awin" })
    expect(body.status).toBe("paid")
    expect(body.targets).toEqual([{ targetId: "awin", channel: "postback", ruleId: "awin-all", specificity: 1 }])
    expect(body.decisions.map((d) => [d.ruleId, d.outcome])).toEqual([
      ["awin-all", "matched"],
      ["no-samples", "not_matched"],
      ["beta-awin", "not_matched"]
    ])
    expect(body.decisions[2]!.detail).toContain('company: "acme" does not match "beta"')
    // Recorded at the time: the rules as they were, including the since removed acme-meta.
    expect(body.planned).toHaveLength(1)
    expect(body.planned[0]).toMatchObject({
      trigger: "paid",
      targets: [{ targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }]
    })
    expect(body.planned[0]!.decisions.map((d) => d.ruleId)).toEqual(["awin-all", "acme-meta", "no-samples"])
    const literal = await getJson<RuleExplanation>(api("/rules/explain?orderKey=shop-de:5001"), audit)
    expect(literal.body).toEqual(body)
  })

  it("answers 400 without an order key, 404 for an unknown order, 401 without a token", async () => {
    const missing = await getJson(api("/rules/explain"), audit)
    expect(missing.status).toBe(400)
    expect(missing.body).toMatchObject({ error: "bad_request", message: expect.stringContaining("orderKey") })
    const unknown = await getJson(api("/rules/explain?orderKey=shop-de:404"), audit)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ error: "not_found", message: expect.stringContaining("shop-de:404") })
    expect((await getJson(api("/rules/explain?orderKey=shop-de:5001"))).status).toBe(401)
  })
})
