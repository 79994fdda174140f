// The hostile-input suite: fast-check over HTTP against the real service (a separate process, with
// the Docker image's Node flags and so its memory cap) on a real database. Every public route and
// every source kind, correctly signed with each platform's own scheme (and sometimes not): mutated
// real payloads, prototype keys, duplicate keys, deep nesting, huge numbers, random bytes, other
// encodings, wrong content types and encodings; malformed HTTP and smuggling attempts over raw
// sockets. Invariants: every answer is a JSON 2xx/4xx, never a 5xx; exactly what was acknowledged
// is stored (a 202 is one WebhookReceived or WebhookDuplicateReceived with exactly one job for each
// new webhook, a 400 invalid_payload one WebhookRejected, any other 4xx nothing); the worker then
// normalizes every stored webhook without a failing job; the process stays under its memory bound.
//
// Runs are bounded (HOSTILE_RUNS per property, default 40) and seeded (HOSTILE_SEED, printed in
// every failure with fast-check's replay path), so CI time stays fixed and a failure replays.
import { isUtf8 } from "node:buffer"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { createHmac, randomUUID } from "node:crypto"
import { promisify } from "node:util"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { type RunningService, startService } from "../bench/service.js"
import { freshDatabase, ownerSql } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"
import { rawRequest } from "../support/rawHttp.js"
import { stripeHeaders } from "../support/signers.js"
import { body, contentType, extraHeaders, type Kind, pathText } from "./arbitraries.js"

const SEED = Number(process.env.HOSTILE_SEED ?? 14_2026)
const RUNS = Number(process.env.HOSTILE_RUNS ?? 40)
const params = { seed: SEED, numRuns: RUNS, endOnFailure: true }
/** The README's bound for the service's resident size (the soak target), with the image's heap cap. */
const MEMORY_BOUND_MB = 256

const SECRETS: Record<Exclude<Kind, "generic">, string> = {
  shopify: "shpss_hostile",
  woocommerce: "woo_hostile",
  stripe: "whsec_hostile",
  paddle: "pdl_hostile"
}
const CONFIG = `
sources:
  - { id: shop, kind: shopify, company: acme, market: DE, secret: env:H_SHOPIFY }
  - { id: woo, kind: woocommerce, company: acme, market: FR, secret: env:H_WOO }
  - { id: stripe, kind: stripe, company: acme, secret: env:H_STRIPE }
  - { id: paddle, kind: paddle, company: acme, secret: env:H_PADDLE }
  - { id: custom, kind: generic, company: acme }
  - { id: off, kind: shopify, company: acme, secret: env:H_SHOPIFY, enabled: false }
partners: [{ id: awin, when: [awc] }]
targets: [{ id: awin, channel: postback, url: "http://127.0.0.1:9/t?cks={click_id}" }]
rules: [{ id: r, company: "*", product: "*", partner: awin, target: awin }]
`
const SOURCE: Record<Kind, string> = {
  shopify: "shop",
  woocommerce: "woo",
  stripe: "stripe",
  paddle: "paddle",
  generic: "custom"
}

let databaseUrl: string
let service: RunningService
let owner: Sql
let adminToken: string
let ingestToken: string
const acknowledged = { received: 0, duplicates: 0, rejected: 0 }

const s2s = async (...args: Array<string>) =>
  (
    await promisify(execFile)("node", ["bin/s2s.js", ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: "utf8"
    })
  ).stdout
    .trim()
    .split("\n")
    .at(-1)!

beforeAll(async () => {
  databaseUrl = await freshDatabase()
  service = await startService({
    databaseUrl,
    config: CONFIG,
    apiOnly: true,
    env: { H_SHOPIFY: SECRETS.shopify, H_WOO: SECRETS.woocommerce, H_STRIPE: SECRETS.stripe, H_PADDLE: SECRETS.paddle }
  })
  owner = ownerSql(databaseUrl)
  adminToken = await s2s("tokens", "create", "--scope", "admin")
  ingestToken = await s2s("tokens", "create", "--scope", "ingest", "--source", "custom")
}, 120_000)

afterAll(async () => {
  await service?.stop()
})

const hmac = (secret: string, data: Buffer, encoding: "base64" | "hex") =>
  createHmac("sha256", secret).update(data).digest(encoding)

/** Each platform's own signature over the exact bytes (Stripe: t.body, Paddle: ts:body). */
const signed = (kind: Kind, bytes: Buffer): Record<string, string> => {
  const now = Math.floor(Date.now() / 1000)
  switch (kind) {
    case "shopify":
      return {
        "x-shopify-hmac-sha256": hmac(SECRETS.shopify, bytes, "base64"),
        "x-shopify-topic": "orders/paid",
        "x-shopify-webhook-id": randomUUID()
      }
    case "woocommerce":
      return {
        "x-wc-webhook-signature": hmac(SECRETS.woocommerce, bytes, "base64"),
        "x-wc-webhook-topic": "order.updated"
      }
    case "stripe":
      // Stripe's own library signs text; bytes that are not UTF-8 get the same scheme by hand.
      return isUtf8(bytes)
        ? { "stripe-signature": stripeHeaders(bytes.toString("utf8"), SECRETS.stripe, now)["stripe-signature"] }
        : {
            "stripe-signature": `t=${now},v1=${hmac(SECRETS.stripe, Buffer.concat([Buffer.from(`${now}.`), bytes]), "hex")}`
          }
    case "paddle":
      return {
        "paddle-signature": `ts=${now};h1=${hmac(SECRETS.paddle, Buffer.concat([Buffer.from(`${now}:`), bytes]), "hex")}`
      }
    case "generic":
      return { authorization: `Bearer ${ingestToken}` }
  }
}

/** Every answer: below 500, JSON, and the error shape for every 4xx. */
const expectJsonAnswer = (status: number, type: string | null, text: string, what: string) => {
  expect(status, `${what} answered ${status}: ${text.slice(0, 300)}`).toBeLessThan(500)
  expect(type ?? "", `${what}: content-type`).toMatch(/^application\/json/)
  const json = JSON.parse(text) as Record<string, unknown>
  if (status >= 400) {
    expect(Object.keys(json).sort(), `${what}: ${text.slice(0, 200)}`).toEqual(["error", "message"])
    expect(typeof json.error === "string" && typeof json.message === "string").toBe(true)
  }
  return json
}

const webhookCase = fc.constantFrom<Kind>("shopify", "woocommerce", "stripe", "paddle", "generic").chain((kind) =>
  fc.record({
    kind: fc.constant(kind),
    body: body(kind),
    contentType,
    extra: extraHeaders,
    signature: fc.constantFrom("valid", "valid", "valid", "valid", "wrong", "missing")
  })
)

describe(`hostile input (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it("webhooks of every kind: JSON 2xx/4xx only, and exactly what was acknowledged is stored", async () => {
    await fc.assert(
      fc.asyncProperty(webhookCase, async (c) => {
        const sig = signed(c.kind, c.body)
        const auth =
          c.signature === "valid"
            ? sig
            : c.signature === "missing"
              ? {}
              : Object.fromEntries(
                  Object.entries(sig).map(([k, v]) => [k, k.startsWith("x-shopify-topic") ? v : `${v}x`])
                )
        const headers = { ...c.extra, ...(c.contentType === "" ? {} : { "content-type": c.contentType }), ...auth }
        const res = await fetch(`${service.baseUrl}/webhooks/${SOURCE[c.kind]}`, {
          method: "POST",
          headers,
          body: c.body
        })
        const json = expectJsonAnswer(
          res.status,
          res.headers.get("content-type"),
          await res.text(),
          `${c.kind} webhook`
        )
        if (res.status === 202) json.duplicate === true ? acknowledged.duplicates++ : acknowledged.received++
        if (res.status === 400 && json.error === "invalid_payload") acknowledged.rejected++
        if (c.signature !== "valid") expect(res.status).not.toBe(202)
      }),
      params
    )
    // The property reached the parsers: some bodies were accepted and some refused as unparseable.
    expect(acknowledged.received).toBeGreaterThan(0)
    expect(acknowledged.rejected).toBeGreaterThan(0)
    const byType = Object.fromEntries(
      (
        await owner<Array<{ type: string; n: number }>>`
          select type, count(*)::int as n from events where stream_id like 'webhook-%' group by type`
      ).map((r) => [r.type, r.n])
    )
    expect(byType).toEqual({
      ...(acknowledged.received > 0 ? { WebhookReceived: acknowledged.received } : {}),
      ...(acknowledged.duplicates > 0 ? { WebhookDuplicateReceived: acknowledged.duplicates } : {}),
      ...(acknowledged.rejected > 0 ? { WebhookRejected: acknowledged.rejected } : {})
    })
    // No event without its job item, no item without its event (an item of a normalize batch, or a
    // single normalize job).
    const [orphans] = await owner<Array<{ events: number; jobs: number }>>`
      with items as (
        select i.value->>'webhookId' as webhook_id
        from graphile_worker._private_jobs j
        join graphile_worker._private_tasks t on t.id = j.task_id
        cross join lateral json_array_elements(j.payload) i
        where t.identifier = 'normalize-batch' and json_typeof(j.payload) = 'array'
        union all
        select substr(j.key, length('normalize:') + 1) from graphile_worker.jobs j
        where j.task_identifier = 'normalize-webhook'
      )
      select
        (select count(*)::int from events e where e.type = 'WebhookReceived' and (
           select count(*) from items where webhook_id = e.data->>'webhookId') <> 1) as events,
        (select count(*)::int from items where not exists (
           select 1 from events e where e.stream_id = 'webhook-' || items.webhook_id)) as jobs`
    expect(orphans).toEqual({ events: 0, jobs: 0 })
  })

  it("every other public route: JSON 2xx/4xx only, whatever the path, query, body or token", async () => {
    const routes = [
      ["GET", "/api/v1/orders/{p}"],
      ["GET", "/api/v1/orders/{p}/events"],
      ["GET", "/api/v1/orders"],
      ["GET", "/api/v1/rules"],
      ["GET", "/api/v1/rules/explain"],
      ["POST", "/api/v1/projections/{p}/rebuild"],
      ["POST", "/api/v1/redispatch"],
      ["POST", "/api/v1/renormalize"],
      ["GET", "/healthz"],
      ["GET", "/readyz"],
      ["GET", "/docs"],
      ["GET", "/metrics"],
      ["GET", "/webhooks/{p}"],
      ["POST", "/webhooks/{p}"],
      ["GET", "/{p}"],
      ["DELETE", "/api/v1/orders/{p}"],
      ["PUT", "/api/v1/redispatch"],
      ["PATCH", "/api/v1/rules"]
    ] as const
    const requestBody = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc
        .record({
          orderKeys: fc.array(pathText, { maxLength: 3 }),
          target: pathText,
          from: fc.oneof(pathText, fc.constant("2026-01-01T00:00:00Z")),
          to: pathText,
          state: pathText,
          webhookIds: fc.array(pathText, { maxLength: 3 }),
          dryRun: fc.oneof(fc.boolean(), fc.constant("yes"))
        })
        .map((o) =>
          JSON.stringify(o).replace(/^\{/, '{"__proto__": {"dryRun": false}, "constructor": {"prototype": {}}, ')
        ),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1"))
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        pathText,
        fc.dictionary(
          fc.constantFrom("limit", "cursor", "from", "to", "company", "orderKey", "state", "format", "tracking"),
          pathText,
          { maxKeys: 4 }
        ),
        requestBody,
        fc.constantFrom("admin", "none", "garbage", "ingest"),
        async ([method, template], param, query, text, who) => {
          const path = template.replace("{p}", encodeURIComponent(param).replaceAll("%00", ""))
          const search = new URLSearchParams(
            Object.entries(query).map(([k, v]): [string, string] => [k, v.replaceAll("\u0000", "")])
          )
          const token = { admin: adminToken, ingest: ingestToken, garbage: "s2s_admin_xxxx", none: undefined }[who]
          const res = await fetch(`${service.baseUrl}${path}?${search}`, {
            method,
            headers: {
              "content-type": "application/json",
              ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
            },
            ...(method === "GET" ? {} : { body: text })
          })
          const answer = await res.text()
          const what = `${method} ${path}`
          if (res.status < 300 && (path === "/docs" || path === "/metrics")) expect(res.status).toBe(200)
          else expectJsonAnswer(res.status, res.headers.get("content-type"), answer, what)
        }
      ),
      params
    )
  })

  it("malformed HTTP and smuggling attempts over raw sockets: a JSON 4xx, one answer, nothing smuggled", async () => {
    const smuggled = "GET /api/v1/rules HTTP/1.1\r\nHost: x\r\n\r\n"
    const requests = [
      "POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 44\r\n\r\n{}",
      `POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\n0\r\n${smuggled}`,
      `POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      "POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      "POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
      "POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST /webhooks/shop HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
      "GET  /healthz  HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET http://evil.example/api/v1/rules HTTP/1.1\r\nHost: x\r\n\r\n",
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3_000 }, (_, i) => `X-H${i}: 1`).join("\r\n")}\r\n\r\n`,
      "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    ]
    const request = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...requests) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1"))
      }
    )
    await fc.assert(
      fc.asyncProperty(request, async (text) => {
        const res = await rawRequest(service.baseUrl, Buffer.from(text, "latin1"), { halfClose: true }).catch(
          () => undefined
        )
        // A connection closed without an answer is fine for bytes that are not HTTP at all.
        if (res === undefined) return
        expect(res.status, text.slice(0, 80)).toBeLessThan(500)
        expectJsonAnswer(res.status, res.headers["content-type"] ?? null, res.body, text.slice(0, 40))
        // One answer per connection: the smuggled request after the body is never served.
        expect(res.raw.match(/(^|\r\n)HTTP\/1\.[01] \d{3} /g)?.length ?? 0, text.slice(0, 80)).toBeLessThanOrEqual(1)
      }),
      { ...params, numRuns: RUNS * 2 }
    )
  })

  it(`stays under its memory bound (${MEMORY_BOUND_MB} MB resident) and keeps serving`, async () => {
    const rss = service.rssMb()
    expect(rss).toBeDefined()
    expect(rss!).toBeLessThan(MEMORY_BOUND_MB)
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200)
  })

  it("the worker normalizes every stored webhook: each ends normalized or failed, no job fails", async () => {
    let worker: ChildProcess | undefined
    try {
      worker = spawn(process.execPath, ["bin/s2s.js", "worker"], {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          LOG_LEVEL: "error",
          WORKER_POLL_INTERVAL_MS: "200",
          METRICS_PORT: "0"
        },
        stdio: "ignore"
      })
      await eventually(async () => {
        const failing = await owner<Array<{ key: string; last_error: string }>>`
          select coalesce(key, task_identifier) as key, last_error from graphile_worker.jobs
          where task_identifier in ('normalize-webhook', 'normalize-batch') and last_error is not null`
        expect(failing.map((j) => `${j.key}: ${j.last_error.split("\n")[0]}`)).toEqual([])
        const [left] = await owner<Array<{ n: number }>>`
          select count(*)::int as n from graphile_worker.jobs
          where task_identifier in ('normalize-webhook', 'normalize-batch')`
        return left!.n === 0 ? true : undefined
      }, 90_000)
      const [unfinished] = await owner<Array<{ n: number }>>`
        select count(*)::int as n from events r where r.type = 'WebhookReceived' and not exists (
          select 1 from events e where e.stream_id = r.stream_id and e.type in ('WebhookNormalized', 'NormalizationFailed'))`
      expect(unfinished!.n).toBe(0)
    } finally {
      if (worker !== undefined && worker.exitCode === null) {
        const exited = new Promise((resolve) => worker?.once("exit", resolve))
        worker.kill("SIGTERM")
        await exited
      }
    }
  })
})
