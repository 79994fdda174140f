// Cutover from the system s2s replaces: its sent conversions are imported from a CSV (a bad file
// imports nothing and names every bad line), an order whose webhook arrives after the import is not
// sent to the imported target (but is to the others), importing twice records nothing, and the old
// rule export becomes s2s.yaml rules with a diff.
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { importCommand } from "../../src/cli/import.js"
import { replan as replanCommand } from "../../src/cli/replan.js"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { tempDir } from "../support/tmp.js"
import { runCli } from "./support.js"

const SECRET = "shpss_import"
const env = { IM_SHOPIFY_SECRET: SECRET }
let partner: FakeServer
let service: RunningService
let sql: Sql
const dir = tempDir("import")

const configYaml = () => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:IM_SHOPIFY_SECRET }
partners:
  - { id: awin, when: [awc] }
targets:
  - { id: awin, channel: postback, url: "${partner.url}/awin?ref={order_id}" }
  - { id: meta-pb, channel: postback, url: "${partner.url}/meta?ref={order_id}" }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: meta-every, company: "*", product: "*", partner: "*", target: meta-pb }
`

const file = (name: string, text: string) => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, text)
  return p
}
const cli = (...args: Array<string>) =>
  runCli(importCommand, args, service.databaseUrl, { ...env, S2S_ACTOR: "ops-bob" })
const typesOf = async (orderKey: string) =>
  (await sql`select type from events where stream_id = ${`order-${orderKey}`} order by stream_version`).map(
    (r) => r.type as string
  )

beforeAll(async () => {
  partner = await fakeServer()
  service = await startService({ config: configYaml(), worker: true, env })
  sql = appSql(service.databaseUrl)
})

describe("s2s import dispatched", () => {
  it("refuses a file with bad rows, naming each line and problem, and records nothing", async () => {
    const bad = file(
      "bad.csv",
      [
        "order_key,target,sent_at,reference",
        "shop-de:940001,awin,2026-11-02T10:00:00Z,AW-1",
        "shop-xx:1,awin,2026-11-02T10:00:00Z,",
        '"shop-de:940002",tradedoubler,"2026-11-02",',
        "shop-de:940003,awin,yesterday,",
        "940004,awin,2026-11-02T10:00:00Z,",
        "shop-de:940001,awin,2026-11-03T10:00:00Z,dup"
      ].join("\n")
    )
    const run = await cli("dispatched", "--csv", bad)
    expect(run.exitCode).toBe(1)
    for (const problem of [
      'bad.csv:3: order_key "shop-xx:1": no source "shop-xx" in the configuration',
      'bad.csv:4: target "tradedoubler" is not a configured target (awin, meta-pb)',
      'bad.csv:5: sent_at "yesterday" is not an ISO 8601 time',
      'bad.csv:6: order_key "940004" is not SOURCE:ORDER_ID',
      "bad.csv:7: shop-de:940001 to awin is already on line 2"
    ])
      expect(run.stderr).toContain(problem)
    expect(await typesOf("shop-de:940001")).toEqual([])
  })

  it("records each sent conversion on its order stream, once, with who imported it", async () => {
    const good = file(
      "sent.csv",
      '\ufefforder_key,target,sent_at,reference\nshop-de:940001,awin,2026-11-02T10:00:00Z,"AW-1,old"\n'
    )
    expect((await cli("dispatched", "--csv", good, "--dry-run")).stdout).toContain(
      "dry run: 1 row, 1 would be imported (1 order), 0 skipped"
    )
    expect(await typesOf("shop-de:940001")).toEqual([])
    const run = await cli("dispatched", "--csv", good)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain("1 row, 1 imported (1 order), 0 skipped")
    const [event] = await sql`select data, metadata from events where stream_id = 'order-shop-de:940001'`
    expect(event!.data).toEqual({
      orderKey: "shop-de:940001",
      targetId: "awin",
      kind: "conversion",
      sentAt: "2026-11-02T10:00:00.000Z",
      reference: "AW-1,old",
      actor: "cli:ops-bob"
    })
    expect(event!.metadata).toMatchObject({ actor: "cli:ops-bob", source: "cli:import-dispatched" })
    const again = JSON.parse((await cli("dispatched", "--csv", good, "--json")).stdout)
    expect(again).toMatchObject({
      imported: 0,
      skipped: 1,
      items: [{ line: 2, action: "skipped", reason: "imported before" }]
    })
  })

  it("never sends an imported conversion when the order's webhook arrives later; other targets still get it", async () => {
    const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as object
    const body = JSON.stringify({
      ...fixture,
      id: 940001,
      admin_graphql_api_id: "gid://shopify/Order/940001",
      name: "#940001",
      landing_site: "/products/vitamin-d3?awc=1001_import"
    })
    const headers = shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": "import-940001" })
    expect((await post(`${service.baseUrl}/webhooks/shop-de`, body, headers)).status).toBe(202)
    await eventually(async () => ((await typesOf("shop-de:940001")).includes("DispatchSucceeded") ? true : undefined))
    expect(partner.requests.map((r) => r.url)).toEqual(["/meta?ref=940001"])
    // Not merely not yet: no dispatch job was enqueued for the imported pair, and none attempted it.
    const jobs = await ownerSql(service.databaseUrl)`
      select count(*)::int as n from graphile_worker._private_jobs where key = 'dispatch:shop-de:940001:awin:conversion'`
    expect(jobs[0]!.n).toBe(0)
    const attempts = await sql`
      select 1 from events where stream_id = 'order-shop-de:940001' and type = 'DispatchAttempted'
        and data->>'targetId' = 'awin'`
    expect(attempts).toHaveLength(0)
    const view = await eventually(async () => {
      const [row] = await sql`select doc from conversions where order_key = 'shop-de:940001' and paid_at is not null`
      return row?.doc as { dispatch: Array<{ targetId: string; status: string; imported?: object }> } | undefined
    })
    expect(view.dispatch.find((d) => d.targetId === "awin")).toMatchObject({ status: "succeeded", imported: {} })
    // replan sees the pair as dispatched.
    const replanned = await runCli(replanCommand, ["--order", "shop-de:940001", "--json"], service.databaseUrl, env)
    expect(JSON.parse(replanned.stdout)).toMatchObject({ planned: 0 })
  })
})

describe("s2s import rules", () => {
  it("turns a rule export into s2s.yaml rules, shows the diff, writes with --write, and is idempotent", async () => {
    const config = file("s2s.yaml", configYaml())
    const csv = file(
      "rules.csv",
      [
        "company,product,partner,target,exclude",
        "acme,*,awin,awin,",
        "acme,vitamins*,*,meta-pb,",
        "*,sample-*,*,,true"
      ].join("\n")
    )
    const dry = await cli("rules", "--csv", csv, "--config", config)
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('-  - { id: meta-every, company: "*", product: "*", partner: "*", target: meta-pb }')
    expect(dry.stdout).toContain(
      '+  - { id: acme-vitamins-all-meta-pb, company: acme, product: vitamins*, partner: "*", target: meta-pb }'
    )
    expect(dry.stdout).toContain(
      '+  - { id: all-sample-all-exclude, company: "*", product: sample-*, partner: "*", exclude: true }'
    )
    expect(fs.readFileSync(config, "utf8")).toBe(configYaml())
    expect((await cli("rules", "--csv", csv, "--config", config, "--write")).exitCode).toBe(0)
    expect(fs.readFileSync(config, "utf8")).toContain("all-sample-all-exclude")
    expect((await cli("rules", "--csv", csv, "--config", config)).stdout).toContain("nothing to change")
    const unknown = file("unknown.csv", "company,product,partner,target\nacme,*,awin,zanox\n")
    const refused = await cli("rules", "--csv", unknown, "--config", config)
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('rules[0].target: no target with id "zanox"')
  })
})
