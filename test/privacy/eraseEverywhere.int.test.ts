// After `s2s erase`, no form of the subject's email or phone number is readable anywhere in the
// database: the whole database is dumped (every row of every table, and pg_dump where the client
// matches the server) and searched for every encoding: the email plain, in upper case, URL-encoded,
// double-encoded, with only its @ encoded, JSON-escaped, its local part alone, its digests; the phone
// number's digits with any separators, its digests. The data came in through the real service:
// landing URLs, order notes, note attributes, another customer's note, a webhook that failed to
// normalize, a body that is not UTF-8, a job payload. Before the erasure, what the API and the CLI
// show without the admin scope, and what Slack receives, hold none of those forms either.
import { execFile, spawnSync } from "node:child_process"
import { createHash, createHmac } from "node:crypto"
import * as fs from "node:fs"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { decodeStored } from "../../src/events/EventStore.js"
import { type EventRow, toStored } from "../../src/events/store.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const SECRET = "shpss_erase_everywhere"
const EMAIL = "jane.roe+shop@example.com"
const PHONE = "+49 151 23456789"
const OTHER_EMAIL = "max.mustermann@example.org"
const sha = (s: string) => createHash("sha256").update(s).digest("hex")

/** Every form of the subject's data this test looks for, as regular expressions over text. */
const FORMS: ReadonlyArray<readonly [string, RegExp]> = [
  ["email", /jane\.roe\+shop@example\.com/i],
  ["email, URL-encoded", /jane\.roe%2Bshop%40example\.com/i],
  ["email, double-encoded", /jane\.roe%252Bshop%2540example\.com/i],
  ["email, @ encoded", /jane\.roe\+shop%40example\.com/i],
  ["email, + decoded as space", /jane\.roe shop@example\.com/i],
  ["email, JSON-escaped", /jane\.roe\+shop\\{1,2}u0040example\.com/i],
  ["the email's local part", /jane\.roe/i],
  ["email digest (Meta)", new RegExp(sha(EMAIL))],
  [
    "phone digits, any separators",
    /(?<!\d)(?:0|49|\+49)?\D{0,6}1\D{0,4}5\D{0,4}1\D{0,4}2\D{0,4}3\D{0,4}4\D{0,4}5\D{0,4}6\D{0,4}7\D{0,4}8\D{0,4}9(?!\d)/
  ],
  ["phone digest (Meta)", new RegExp(sha("4915123456789"))],
  ["phone digest (Google)", new RegExp(sha("+4915123456789"))]
]

const found = (text: string) => FORMS.filter(([, re]) => re.test(text)).map(([name]) => name)
/** Masked views keep digests on purpose (pseudonymous, what an auditor matches); every readable form goes. */
const readable = (text: string) => found(text).filter((name) => !name.includes("digest"))

let service: RunningService
let sql: Sql
let owner: Sql
let slack: FakeServer
let auditToken: string

const fixture = fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")
/** The paid fixture as another order of another customer. */
const orderOf = (
  id: number,
  customer: { email: string; phone: string; first: string },
  extra: Record<string, unknown>
) =>
  JSON.stringify({
    ...(JSON.parse(
      fixture
        .replaceAll("lena.mueller@example.de", customer.email)
        .replaceAll("+49 151 23456789", customer.phone)
        .replaceAll("Lena", customer.first)
    ) as Record<string, unknown>),
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    created_at: new Date().toISOString(),
    processed_at: new Date().toISOString(),
    ...extra
  })

const deliver = async (body: string | Buffer, webhookId: string) => {
  const headers = {
    ...shopifyHeaders("", SECRET, { "x-shopify-webhook-id": webhookId }),
    "x-shopify-hmac-sha256": createHmac("sha256", SECRET).update(body).digest("base64")
  }
  return (await post(`${service.baseUrl}/webhooks/shop`, body, headers)).status
}

beforeAll(async () => {
  const partner = await fakeServer()
  const graph = await fakeServer()
  graph.script([], { status: 200, body: JSON.stringify({ events_received: 1, fbtrace_id: "x" }) })
  slack = await fakeServer()
  slack.script([], { status: 200, body: JSON.stringify({ ok: true, channel: "C1", ts: "1.0" }) })
  service = await startService({
    worker: true,
    env: {
      EE_SECRET: SECRET,
      EE_META: "EAAB-erase",
      EE_SLACK: "xoxb-erase",
      META_GRAPH_URL: graph.url,
      SLACK_API_URL: `${slack.url}/api/`
    },
    config: `
sources: [{ id: shop, kind: shopify, company: acme, market: DE, secret: env:EE_SECRET }]
partners:
  - { id: awin, when: [awc] }
  - { id: google, when: [gclid, "utm_source=google"] }
targets:
  - { id: meta, channel: meta-capi, pixelId: "1122", accessToken: env:EE_META }
  - { id: awin, channel: postback, url: "${partner.url}/t?ref={order_id}&cks={click_id}&em={email_sha256}" }
rules:
  - { id: meta, company: "*", product: "*", partner: "*", target: meta }
  - { id: awin, company: "*", product: "*", partner: awin, target: awin }
alerts:
  slack: { token: env:EE_SLACK, channel: "#alerts" }
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
  const { stdout } = await promisify(execFile)("node", ["bin/s2s.js", "tokens", "create", "--scope", "audit"], {
    env: { ...process.env, DATABASE_URL: service.databaseUrl },
    encoding: "utf8"
  })
  auditToken = stdout.trim().split("\n").at(-1)!

  const jane = { email: EMAIL, phone: PHONE, first: "Jane" }
  const max = { email: OTHER_EMAIL, phone: "+49 170 9876543", first: "Max" }
  // The subject's orders: the address URL-encoded (and double-encoded) in the landing URL, phone
  // numbers written in the note and a note attribute, the address in another attribute.
  expect(
    await deliver(
      orderOf(950001, jane, {
        landing_site: `https://www.acme.de/optin?email=${encodeURIComponent(EMAIL)}&r=${encodeURIComponent(encodeURIComponent(EMAIL))}&awc=1001_1_abc`,
        referring_site: `https://mail.example/?to=${EMAIL.replace("@", "%40")}`,
        note: "Bitte vor der Lieferung anrufen: 0151 / 2345 6789 oder +49 (0)151 2345-6789",
        note_attributes: [
          { name: "Rückrufnummer", value: "0049 151 23456789" },
          { name: "kontakt", value: encodeURIComponent(EMAIL) }
        ]
      }),
      "ee-1"
    )
  ).toBe(202)
  expect(
    await deliver(
      orderOf(950002, jane, {
        // A tracking alert (utm_source=google, no gclid) names the landing page and campaign in Slack.
        landing_site: `/optin/${encodeURIComponent(encodeURIComponent(EMAIL))}?utm_source=google&utm_campaign=nl-0151%2023456789&phone=%2B4915123456789`,
        note: `Mail an ${EMAIL}, mobil 0151/23456789`
      }),
      "ee-2"
    )
  ).toBe(202)
  // Another customer's order that mentions the subject: only the subject's data goes.
  expect(
    await deliver(
      orderOf(950003, max, { note: `Geschenk für Jane (${EMAIL}, 0151 23456789)`, landing_site: "/p?awc=1001_2_abc" }),
      "ee-3"
    )
  ).toBe(202)
  // A webhook that cannot be normalized (no line items) and one that is not UTF-8.
  const broken = JSON.parse(orderOf(950004, jane, { note: `Rückruf ${PHONE}` })) as Record<string, unknown>
  delete broken.line_items
  expect(await deliver(JSON.stringify(broken), "ee-4")).toBe(202)
  expect(
    await deliver(Buffer.from(`{"id":950005,"email":"${EMAIL}","note":"r\xfcckruf 0151 23456789"}`, "latin1"), "ee-5")
  ).toBe(400)

  await eventually(async () => {
    const rows =
      await sql`select count(*)::int as n from events where type in ('DispatchSucceeded', 'NormalizationFailed')`
    const alerts = slack.requests.length
    return (rows[0]!.n as number) >= 6 && alerts >= 1 ? true : undefined
  }, 30_000)
  // A job waiting in the queue whose payload names the subject (a task added by an operator).
  await owner`select graphile_worker.add_job('deliver-alert', ${owner.json({ note: `call ${PHONE} or ${EMAIL}` })}::json, run_at => now() + interval '1 day')`
})

/** Every row of every table in every schema as text, plus pg_dump's output where it can dump this server. */
const dumpDatabase = async (): Promise<string> => {
  const tables = await owner<Array<{ schemaname: string; tablename: string }>>`
    select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`
  const parts: Array<string> = []
  for (const t of tables) {
    const rows = await owner.unsafe(`select t::text as row from "${t.schemaname}"."${t.tablename}" t`)
    parts.push(...rows.map((r) => String(r.row)))
  }
  // Raw bodies that are not UTF-8 are stored in base64: decode them too.
  const encoded = await owner<Array<{ text: string }>>`
    select data->'body'->>'text' as text from events where data->'body'->>'encoding' = 'base64'`
  parts.push(...encoded.map((e) => Buffer.from(e.text, "base64").toString("latin1")))
  const pgDump = spawnSync("pg_dump", ["--data-only", "--dbname", service.databaseUrl], { encoding: "utf8" })
  if (pgDump.status === 0) parts.push(pgDump.stdout)
  return parts.join("\n")
}

describe("masking before the erasure", () => {
  it("the API without the admin scope shows no form of the email or phone", async () => {
    for (const key of ["shop:950001", "shop:950002", "shop:950003"]) {
      for (const path of [`/api/v1/orders/${key}/events`, `/api/v1/orders/${key}`]) {
        const res = await fetch(`${service.baseUrl}${path}`, { headers: { authorization: `Bearer ${auditToken}` } })
        expect(res.status).toBe(200)
        const text = await res.text()
        expect(readable(text), path).toEqual([])
      }
    }
  })

  it("s2s orders log without --reveal shows none either (timeline and --json)", async () => {
    for (const args of [
      ["orders", "log", "shop:950001"],
      ["orders", "log", "shop:950001", "--json"],
      ["orders", "show", "shop:950002"]
    ]) {
      const r = spawnSync("node", ["bin/s2s.js", ...args], {
        env: { ...process.env, DATABASE_URL: service.databaseUrl },
        encoding: "utf8"
      })
      expect(r.status, r.stderr).toBe(0)
      expect(readable(r.stdout), args.join(" ")).toEqual([])
    }
  })

  it("Slack messages show none either", () => {
    expect(slack.requests.length).toBeGreaterThan(0)
    for (const request of slack.requests) {
      expect(readable(request.body)).toEqual([])
      expect(readable(decodeURIComponent(request.body.replaceAll("+", " ")))).toEqual([])
    }
  })
})

describe("s2s erase", () => {
  it("leaves no form of the subject's email or phone anywhere in the database", async () => {
    const before = await dumpDatabase()
    expect(found(before)).toEqual(expect.arrayContaining(["email", "email, URL-encoded", "email, double-encoded"]))
    expect(found(before)).toEqual(expect.arrayContaining(["phone digits, any separators", "email digest (Meta)"]))

    const r = spawnSync(
      "node",
      ["bin/s2s.js", "erase", "--email", " Jane.Roe+Shop@Example.com ", "--yes", "--reason", "ticket 7"],
      {
        env: { ...process.env, DATABASE_URL: service.databaseUrl },
        encoding: "utf8"
      }
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain("2 order(s)")

    const after = await dumpDatabase()
    expect(found(after)).toEqual([])
    // Nobody else's data went with it.
    expect(after).toContain(OTHER_EMAIL)
    expect(after).toMatch(/\+49 170 9876543/)
  })

  it("keeps the log whole: every event still decodes, the erasure is recorded", async () => {
    const rows = await sql<Array<EventRow>>`
      select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type, schema_version,
             data, metadata, recorded_at
      from events order by global_position`
    const events = rows.map((r) => decodeStored(toStored(r)).event)
    expect(events.map((e) => e._tag)).toContain("DispatchSucceeded")
    const erased = events.find((e) => e._tag === "SubjectErased")
    expect(erased).toMatchObject({ orderKeys: ["shop:950001", "shop:950002"], reason: "ticket 7" })
    expect(erased?._tag === "SubjectErased" && erased.scrubbedRows).toBeGreaterThan(0)
  })

  it("still refuses UPDATE on the log outside an erasure", async () => {
    await expect(owner`update events set data = '{}' where type = 'OrderNormalized'`).rejects.toThrow(/append-only/)
  })
})
