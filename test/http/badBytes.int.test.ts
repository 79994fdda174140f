// Bad bytes get clear answers: a NUL in any path or query is a JSON 400 on every route (known or not,
// the webhook fast path included) with a log line; a request Node's parser refuses gets a JSON error;
// a signed webhook body that is not UTF-8 is refused with 400 before normalization and recorded as
// WebhookRejected with its exact bytes.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"
import { rawRequest, rawText } from "../support/rawHttp.js"
import { type RunningService, startService } from "../support/service.js"
import { shopifyHeaders } from "../support/signers.js"

const SECRET = "shpss_bad_bytes"
const CONFIG = `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:T_BB_SHOPIFY }
  - { id: custom, kind: generic, company: globex }
`

let service: RunningService
let sql: Sql
let owner: Sql
let token: string
const logs: Array<string> = []

beforeAll(async () => {
  service = await startService({ config: CONFIG, env: { T_BB_SHOPIFY: SECRET }, logs })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
  const { stdout } = await promisify(execFile)("node", ["bin/s2s.js", "tokens", "create", "--scope", "admin"], {
    env: { ...process.env, DATABASE_URL: service.databaseUrl },
    encoding: "utf8"
  })
  token = stdout.trim().split("\n").at(-1)!
})

const expectJsonError = (res: { status: number; headers: Readonly<Record<string, string>>; body: string }) => {
  expect(res.headers["content-type"]).toMatch(/^application\/json/)
  const body = JSON.parse(res.body) as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(["error", "message"])
  expect(typeof body.message).toBe("string")
  return body as { error: string; message: string }
}

describe("a NUL byte in the path or query", () => {
  // First: refusals are logged once per route kind and 10 s, so this must be the first /api one.
  it("is logged, without the target itself", async () => {
    await rawRequest(service.baseUrl, rawText("GET", "/api/v1/orders/jane%40example.com%00"))
    const line = await eventually(async () => logs.find((l) => l.includes("NUL byte")))
    expect(line).toMatch(/refused GET request to a \/api path: NUL byte/)
    expect(logs.join("\n")).not.toContain("jane")
  })

  const targets = [
    "/healthz?x=%00",
    "/readyz%00",
    "/nothing%00here",
    "/webhooks/shop%00de",
    "/webhooks/shop-de?x=%00",
    "/api/v1/orders/shop-de%3A1%00",
    "/api/v1/orders/a%00b/events",
    "/api/v1/orders?company=%00",
    "/api/v1/rules/explain?orderKey=a%00",
    "/api/v1/projections/conversions%00/rebuild",
    "/api/v1/redispatch?%00"
  ]

  it.each(targets.flatMap((t) => [["GET", t] as const, ["POST", t] as const]))(
    "%s %s answers 400 with the JSON error shape",
    async (method, target) => {
      const res = await rawRequest(
        service.baseUrl,
        rawText(method, target, { authorization: `Bearer ${token}`, "content-type": "application/json" }, "{}")
      )
      expect(res.status).toBe(400)
      expect(expectJsonError(res).error).toBe("bad_request")
    }
  )

  it("a raw NUL in the request target answers 400 JSON (Node's parser refuses it)", async () => {
    const res = await rawRequest(
      service.baseUrl,
      Buffer.from("GET /heal\u0000thz HTTP/1.1\r\nHost: x\r\n\r\n", "latin1")
    )
    expect(res.status).toBe(400)
    expect(expectJsonError(res).error).toBe("bad_request")
  })

  it("stores nothing for a webhook", async () => {
    const body = JSON.stringify({ id: 1 })
    await rawRequest(service.baseUrl, rawText("POST", "/webhooks/shop-de?x=%00", shopifyHeaders(body, SECRET), body))
    expect((await sql`select count(*)::int as n from events where stream_id like 'webhook-%'`)[0]!.n).toBe(0)
  })
})

describe("other refusals keep the JSON error shape", () => {
  it("an unknown route is a JSON 404", async () => {
    const res = await rawRequest(service.baseUrl, rawText("GET", "/no/such/route"))
    expect(res.status).toBe(404)
    expect(expectJsonError(res)).toEqual({ error: "not_found", message: "no route for GET /no/such/route" })
  })

  it("conflicting Content-Length headers (request smuggling) answer a JSON 400 and close", async () => {
    const res = await rawRequest(
      service.baseUrl,
      "POST /webhooks/shop-de HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}"
    )
    expect(res.status).toBe(400)
    expect(res.headers.connection).toBe("close")
    expect(expectJsonError(res).error).toBe("bad_request")
  })
})

describe("a signed webhook body that is not UTF-8", () => {
  it("is refused with 400 before normalization and recorded as WebhookRejected with its exact bytes", async () => {
    // Valid JSON apart from one Latin-1 byte (0xFC, "ü") inside a string: a platform with a broken
    // encoding, or tampering. Decoding it as UTF-8 would turn the byte into U+FFFD.
    const bytes = Buffer.concat([
      Buffer.from('{"id":4242,"email":"m', "utf8"),
      Buffer.from([0xfc]),
      Buffer.from('ller@example.de","financial_status":"paid"}', "utf8")
    ])
    const headers = shopifyHeaders("", SECRET, { "x-shopify-webhook-id": "wh-latin1" })
    const { createHmac } = await import("node:crypto")
    headers["x-shopify-hmac-sha256"] = createHmac("sha256", SECRET).update(bytes).digest("base64")
    const res = await fetch(`${service.baseUrl}/webhooks/shop-de`, { method: "POST", headers, body: bytes })
    expect(res.status).toBe(400)
    const json = (await res.json()) as { error: string; message: string }
    expect(json).toEqual({
      error: "invalid_payload",
      message: "the body is not acceptable JSON: the body is not valid UTF-8"
    })

    const rows = await sql<Array<{ type: string; data: { body: { encoding: string; text: string; bytes: number } } }>>`
      select type, data from events where stream_id like 'webhook-%' and type <> 'WebhookReceived'`
    const rejected = rows.filter((r) => r.type === "WebhookRejected")
    expect(rejected).toHaveLength(1)
    expect(rejected[0]!.data.body.encoding).toBe("base64")
    expect(Buffer.from(rejected[0]!.data.body.text, "base64").equals(bytes)).toBe(true)
    expect((await sql`select count(*)::int as n from events where type = 'WebhookReceived'`)[0]!.n).toBe(0)
    expect(
      (await owner`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'normalize-webhook'`)[0]!
        .n
    ).toBe(0)
    const line = await eventually(async () => logs.find((l) => l.includes("not valid UTF-8")))
    expect(line).toMatch(/^source shop-de: signed webhook rejected \(not valid UTF-8\), recorded as [0-9a-f-]{36}/)
  })

  it("unsigned, it is refused 401 and nothing is stored (the signature is checked first)", async () => {
    const res = await fetch(`${service.baseUrl}/webhooks/shop-de`, {
      method: "POST",
      headers: shopifyHeaders("x", "wrong-secret"),
      body: Buffer.from([0x7b, 0xff, 0x7d])
    })
    expect(res.status).toBe(401)
    expect((await sql`select count(*)::int as n from events where type = 'WebhookRejected'`)[0]!.n).toBe(1)
  })
})
