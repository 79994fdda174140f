// `s2s renormalize` against a database whose log holds a webhook that failed because its source was
// missing from the configuration, now configured again: the dry run shows the change and records
// nothing; --yes records RenormalizationRequested as cli:$USER with the normalize job; a pending
// request is not repeated; usage errors exit with code 2. (The re-run itself is covered through the
// service in test/operations.)
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { config as configCommand } from "../../src/cli/config.js"
import { renormalize } from "../../src/cli/renormalize.js"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import { rawBody } from "../../src/ingest/body.js"
import { runCli } from "../operations/support.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"
import { tempFile } from "../support/tmp.js"

const WEBHOOK = "0b6a1c2e-5f7d-8a9b-8c0d-1e2f3a4b5c6d"
let url: string
let sql: Sql

const fixture = fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")
const history: ReadonlyArray<AppEvent> = [
  {
    _tag: "WebhookReceived",
    webhookId: WEBHOOK,
    sourceId: "shop-x",
    kind: "shopify",
    topic: "orders/paid",
    dedupKey: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    headers: { "x-shopify-topic": "orders/paid", "x-shopify-shop-domain": "acme-x.myshopify.com" },
    receivedAt: "2026-11-20T10:00:00.000Z",
    body: rawBody(Buffer.from(fixture))
  },
  {
    _tag: "NormalizationFailed",
    webhookId: WEBHOOK,
    sourceId: "shop-x",
    reason: "source shop-x is no longer configured",
    parserVersion: 1
  }
]

beforeAll(async () => {
  url = await freshDatabase()
  sql = appSql(url)
  await sql.begin((tx) =>
    appendStreams(tx, [
      toStoreAppend({ streamId: `webhook-${WEBHOOK}`, expectedVersion: "no_stream", events: history }, {})
    ])
  )
  const file = tempFile(
    "rn",
    "s2s.yaml",
    "sources:\n  - { id: shop-x, kind: shopify, company: acme, market: DE, secret: env:X_SECRET }\n"
  )
  expect((await runCli(configCommand, ["apply", file], url, { X_SECRET: "x" })).exitCode).toBe(0)
})

const cli = (...args: Array<string>) => runCli(renormalize, args, url, { S2S_ACTOR: "tester" })
const webhookEvents = () => sql`select type, data, metadata from events where stream_id = ${`webhook-${WEBHOOK}`}`

describe("s2s renormalize", () => {
  it("dry-runs the failed webhooks by default: shows what would change, records nothing", async () => {
    const run = await cli()
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.split("\n")
    expect(lines[0]).toBe("dry run: 1 webhook selected, 1 would change, 0 unchanged, 0 skipped")
    expect(lines[3]).toMatch(
      new RegExp(
        `^${WEBHOOK} +shop-x +2026-11-20T10:00:00.000Z +would change +failed: source shop-x is no longer configured +` +
          "order shop-x:5678901234567: OrderNormalized, PaymentUpdated, DispatchPlanned \\(no targets\\)$"
      )
    )
    expect(lines.at(-1)).toBe("nothing was recorded (dry run); run again with --yes to re-normalize")
    expect(await webhookEvents()).toHaveLength(2)
  })

  it("with --yes records who asked and enqueues the normalize job; a pending request is not repeated", async () => {
    const run = await cli("--source", "shop-x", "--reason", "shop-x configured again", "--yes", "--json")
    expect(JSON.parse(run.stdout)).toMatchObject({ dryRun: false, changes: 1, items: [{ action: "requested" }] })
    const events = await webhookEvents()
    expect(events.map((e) => e.type)).toEqual(["WebhookReceived", "NormalizationFailed", "RenormalizationRequested"])
    expect(events[2]!.data).toEqual({ webhookId: WEBHOOK, reason: "shop-x configured again", actor: "cli:tester" })
    expect(events[2]!.metadata).toMatchObject({ actor: "cli:tester", source: "cli:renormalize" })
    const jobs = await ownerSql(url)`
      select t.identifier, j.key, j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id`
    expect(jobs.map((j) => [j.identifier, j.key, j.payload])).toEqual([
      ["normalize-webhook", `normalize:${WEBHOOK}`, { webhookId: WEBHOOK }]
    ])

    const again = await cli("--webhook", WEBHOOK, "--yes", "--json")
    expect(JSON.parse(again.stdout)).toMatchObject({
      changes: 0,
      items: [{ action: "skipped", reason: "a re-normalization requested by cli:tester is pending" }]
    })
    expect(await webhookEvents()).toHaveLength(3)
  })

  it("says why when nothing is selected: the default state failed takes only failed normalizations", async () => {
    const none = await cli("--source", "shop-x", "--to", "2020-01-01")
    expect(none.exitCode).toBe(0)
    expect(none.stdout).toContain("dry run: 0 webhooks selected")
    expect(none.stdout).toContain(
      "no webhook from source shop-x received before 2020-01-01T00:00:00.000Z has a failed normalization: " +
        "the selection takes only those (state failed, the default)."
    )
    expect(none.stdout).toContain("--state all")
    const all = JSON.parse((await cli("--source", "nowhere", "--state", "all", "--json")).stdout)
    expect(all).toMatchObject({ selected: 0, state: "all", explanation: "no webhook from source nowhere was found" })
  })

  it.each([
    [["--state", "all"], "state all needs webhookIds, a sourceId or a from time to bound the selection"],
    [["--from", "2026-11-21", "--to", "2026-11-20"], "from must be before to"]
  ])("refuses %j as a usage error", async (args, message) => {
    expect(await cli(...args)).toMatchObject({ exitCode: 2, stderr: `error: ${message}` })
  })
})
