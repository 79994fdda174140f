// Replan through the real service, as the issue tells it: orders arrive while a rule and a partner are
// missing, so one is routed nowhere and one gets no partner. After the configuration is fixed,
// `config apply` says how many recent orders would now route differently and what to run; the replan
// dry run shows exactly the new (order, target) pairs, the confirmation plans and sends them once, and
// a second run plans nothing. The order whose partner changed is sent to renormalize first.
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { config as configCommand } from "../../src/cli/config.js"
import { replan as replanCommand } from "../../src/cli/replan.js"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { tempFile } from "../support/tmp.js"
import { createToken, postJson, runCli } from "./support.js"

const SECRET = "shpss_replan"
const env = { RP_SHOPIFY_SECRET: SECRET, S2S_CONFIG_POLL_MS: "200" }
let partner: FakeServer
let service: RunningService
let sql: Sql
let operate: { tokenId: string; token: string }

const configYaml = (fixed: boolean) => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:RP_SHOPIFY_SECRET }
partners:
  - { id: awin, when: [awc] }
  - { id: meta, when: [fbclid] }
${fixed ? "  - { id: everflow, when: [clickid] }" : ""}
targets:
  - { id: awin, channel: postback, url: "${partner.url}/awin?ref={order_id}" }
  - { id: meta-pb, channel: postback, url: "${partner.url}/meta?ref={order_id}" }
  - { id: everflow, channel: postback, url: "${partner.url}/ef?ref={order_id}&cid={click_id}", clickId: clickid }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: everflow-all, company: "*", product: "*", partner: everflow, target: everflow }
${fixed ? '  - { id: meta-all, company: "*", product: "*", partner: meta, target: meta-pb }' : ""}
`

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
const order = (id: number, query: string) =>
  JSON.stringify({
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    created_at: new Date().toISOString(),
    processed_at: new Date().toISOString(),
    landing_site: `/products/vitamin-d3?${query}`
  })

const planned = (orderKey: string) =>
  sql<Array<{ data: { trigger: string; targets: Array<{ targetId: string }>; actor?: string; reason?: string } }>>`
    select data from events where stream_id = ${`order-${orderKey}`} and type = 'DispatchPlanned'
    order by stream_version`
const projected = (orderKey: string) =>
  eventually(async () => {
    const rows = await sql`select 1 from conversions where order_key = ${orderKey} and paid_at is not null`
    return rows.length > 0 ? true : undefined
  })
const applyFile = (yaml: string) =>
  runCli(configCommand, ["apply", tempFile("rp", "s2s.yaml", yaml)], service.databaseUrl, env)
const replanApi = (payload: unknown) => postJson(`${service.baseUrl}/api/v1/replan`, operate.token, payload)
const replanCli = (...args: Array<string>) =>
  runCli(replanCommand, args, service.databaseUrl, { ...env, S2S_ACTOR: "ops-alice" })

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({ config: configYaml(false), worker: true, env })
  sql = appSql(service.databaseUrl)
  operate = await createToken(service.databaseUrl, "operate")
  for (const [id, query] of [
    [930001, "awc=1001_abc"],
    [930002, "fbclid=IwAR0replan"],
    [930003, "clickid=ef-777"]
  ] as const) {
    const body = order(id, query)
    const headers = shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `replan-${id}` })
    expect((await post(`${service.baseUrl}/webhooks/shop-de`, body, headers)).status).toBe(202)
  }
  for (const key of ["shop-de:930001", "shop-de:930002", "shop-de:930003"]) await projected(key)
  await partner.waitFor(1)
})

describe("replan", () => {
  it("starts from the reported problem: one order routed nowhere, one without its partner", async () => {
    expect((await planned("shop-de:930002"))[0]!.data).toMatchObject({ trigger: "paid", targets: [] })
    expect((await planned("shop-de:930003"))[0]!.data).toMatchObject({ trigger: "paid", targets: [] })
    expect(partner.requests.map((r) => r.url.split("?")[0])).toEqual(["/awin"])
  })

  it("config apply says how many recent orders would now route differently, and what to run", async () => {
    const applied = await applyFile(configYaml(true))
    expect(applied.exitCode, applied.stderr).toBe(0)
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10)
    expect(applied.stdout).toContain(
      `routing: 1 order placed since ${since} would now go to 1 target they were never sent to: ` +
        `see them with \`s2s replan --from ${since}\`, plan and send them with \`s2s replan --from ${since} --yes\``
    )
    expect(applied.stdout).toContain("routing: 1 order would now get another partner: re-normalize them first")
  })

  it("the dry run (the API's default) lists the new pairs and the order to re-normalize, records nothing", async () => {
    const before = Number((await sql`select count(*)::int as n from events`)[0]!.n)
    const res = await replanApi({ company: "acme" })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ dryRun: true, selected: 3, orders: 1, planned: 1, unchanged: 1, skipped: 1 })
    expect(res.body.items).toEqual([
      {
        orderKey: "shop-de:930002",
        targetId: "meta-pb",
        channel: "postback",
        ruleId: "meta-all",
        action: "would_plan"
      },
      {
        orderKey: "shop-de:930003",
        action: "skipped",
        reason:
          "the partner rules now make it everflow (recorded: no partner); re-normalize it first " +
          "(s2s renormalize --state all --source shop-de --yes), then replan"
      }
    ])
    expect(Number((await sql`select count(*)::int as n from events`)[0]!.n)).toBe(before)
    expect((await postJson(`${service.baseUrl}/api/v1/replan`, operate.token, {})).status).toBe(400)
  })

  it("--yes plans each new pair once, as an operator event with its job, and the worker sends it", async () => {
    const run = await replanCli("--from", "2020-01-01", "--reason", "meta rule added")
    expect(run.stdout.split("\n")[0]).toBe(
      "dry run: 3 orders checked, 1 new dispatch on 1 order would be planned, 1 unchanged, 1 skipped"
    )
    const confirmed = await replanCli("--from", "2020-01-01", "--reason", "meta rule added", "--yes", "--json")
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ dryRun: false, planned: 1, orders: 1 })
    const plans = await planned("shop-de:930002")
    expect(plans.at(-1)!.data).toMatchObject({
      trigger: "operator",
      targets: [{ targetId: "meta-pb" }],
      actor: "cli:ops-alice",
      reason: "meta rule added"
    })
    const sent = await partner.waitFor(2)
    expect(sent.map((r) => r.url)).toContain("/meta?ref=930002")
    await eventually(async () => {
      const rows = await sql`
        select 1 from events where stream_id = 'order-shop-de:930002' and type = 'DispatchSucceeded'
          and data->>'targetId' = 'meta-pb'`
      return rows.length > 0 ? true : undefined
    })
  })

  it("is idempotent: a second run plans nothing, and nothing is sent twice", async () => {
    const again = await replanCli("--from", "2020-01-01", "--yes", "--json")
    expect(JSON.parse(again.stdout)).toMatchObject({ planned: 0, orders: 0, unchanged: 2, skipped: 1 })
    expect((await planned("shop-de:930002")).length).toBe(2)
    // No job waits for the pair: the one dispatch that ran was the only one.
    const jobs = await ownerSql(service.databaseUrl)`
      select count(*)::int as n from graphile_worker._private_jobs where key = 'dispatch:shop-de:930002:meta-pb:conversion'`
    expect(jobs[0]!.n).toBe(0)
    expect(partner.requests.filter((r) => r.url.startsWith("/meta")).length).toBe(1)
  })

  it("after re-normalization gives the order its partner, replan plans its target", async () => {
    const renormalized = await postJson(`${service.baseUrl}/api/v1/renormalize`, operate.token, {
      sourceId: "shop-de",
      state: "all",
      dryRun: false
    })
    expect(renormalized.body).toMatchObject({ changes: 1 })
    await eventually(async () => {
      const rows = await sql`select partner from conversions where order_key = 'shop-de:930003'`
      return rows[0]?.partner === "everflow" ? true : undefined
    })
    const res = await replanApi({ orderKeys: ["shop-de:930003"], dryRun: false })
    expect(res.body).toMatchObject({ planned: 1, items: [{ targetId: "everflow", action: "planned" }] })
    expect((await partner.waitFor(3)).map((r) => r.url)).toContain("/ef?ref=930003&cid=ef-777")
  })
})
