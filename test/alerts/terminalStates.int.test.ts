// Nothing fails silently: every terminal state, through the real service (webhooks in, worker, a fake
// partner and a fake Slack on loopback), has an alert posted to Slack, a metric at /metrics, and a way
// to list it through the API (and the CLI). Normalization failures of one source and reason are one
// Slack message however many webhooks fail; a held postback is listed and resolved by one call.
import * as fs from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { createToken, getJson, s2s } from "../orders/support.js"
import { onCleanup } from "../support/cleanup.js"
import { appSql } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const SECRET = "shpss_terminal"
let service: RunningService
let sql: Sql
let audit: string
let operate: string
const slack: Array<{ text: string; blocks: string }> = []
/** Requests the partner got, by order ref; `hang` orders get no answer the first time. */
const partnerHits: Array<string> = []

const server = (handle: (url: string, body: string) => { status: number; body: string } | "hang") => {
  const s = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const reply = handle(req.url ?? "", Buffer.concat(chunks).toString("utf8"))
      if (reply === "hang") return void setTimeout(() => req.socket.destroy(), 800)
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body)
    })
  })
  onCleanup(() => new Promise((r) => s.close(r)))
  return new Promise<string>((r) =>
    s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`))
  )
}

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
const order = (id: number, change: (o: Record<string, unknown>) => void = () => {}) => {
  const o: Record<string, unknown> = {
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    landing_site: `/?awc=1001_${id}_x`
  }
  change(o)
  return JSON.stringify(o)
}
const deliver = (body: string, webhookId: string) =>
  post(`${service.baseUrl}/webhooks/shop-de`, body, shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": webhookId }))

const sampleOf = (text: string, name: string, labels: Record<string, string>) => {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)))
  return line === undefined ? 0 : Number(line.split(" ").at(-1))
}
// The counters are the process's: files run earlier in the same worker may have counted too, so each
// figure is counted from this file's start.
let atStart = ""
const metric = async (name: string, labels: Record<string, string>) =>
  sampleOf(await (await fetch(`${service.baseUrl}/metrics`)).text(), name, labels) - sampleOf(atStart, name, labels)

beforeAll(async () => {
  const partner = await server((url) => {
    const ref = new URL(url, "http://x").searchParams.get("ref") ?? ""
    const nth = partnerHits.filter((h) => h === ref).length
    partnerHits.push(ref)
    if (ref === "9301" && nth === 0) return "hang"
    if (ref === "9401") return { status: 400, body: "unknown merchant" }
    if (ref === "9501") return { status: 503, body: "maintenance" }
    return { status: 200, body: "OK" }
  })
  const slackUrl = await server((_, body) => {
    const form = new URLSearchParams(body)
    slack.push({ text: form.get("text") ?? "", blocks: form.get("blocks") ?? "" })
    return { status: 200, body: JSON.stringify({ ok: true, channel: "C1", ts: "1.1" }) }
  })
  service = await startService({
    worker: true,
    env: { T_SECRET: SECRET, T_SLACK: "xoxb-terminal", SLACK_API_URL: `${slackUrl}/api/` },
    config: `
sources: [{ id: shop-de, kind: shopify, company: acme, market: DE, secret: env:T_SECRET }]
partners: [{ id: awin, when: [awc] }]
targets:
  - id: awin
    channel: postback
    url: "${partner}/sale?ref={order_id}&cks={click_id}"
    timeout: 300ms
    retry: { initialDelay: 100ms, maxDelay: 200ms, maxAttempts: 2 }
rules: [{ id: r, company: "*", product: "*", partner: "*", target: awin }]
alerts:
  slack: { token: env:T_SLACK, channel: "#terminal" }
`
  })
  sql = appSql(service.databaseUrl)
  atStart = await (await fetch(`${service.baseUrl}/metrics`)).text()
  ;[audit, operate] = await Promise.all([
    createToken(service.databaseUrl, "audit"),
    createToken(service.databaseUrl, "operate")
  ])
})

const list = <T>(path: string, token = audit) => getJson<T>(`${service.baseUrl}${path}`, token)
type Webhooks = {
  webhooks: Array<{ webhookId: string; reason: string; state: string; message: string }>
  nextCursor: string | null
}
type Orders = { orders: Array<{ orderKey: string; dispatchState: string }> }

/** `s2s report --json` of the day every fixture order is placed on. */
const report = async () => {
  const run = await s2s(["report", "--from", "2024-11-29", "--to", "2024-11-30", "--json"], service.databaseUrl)
  expect(run.code).toBe(0)
  return JSON.parse(run.stdout) as { totals: Record<string, number | null> }
}

describe("a webhook no parser can read (NormalizationFailed)", () => {
  it("is one Slack message for a source failing the same way, counted per source and reason, and listed", async () => {
    const ids: Array<string> = []
    for (const n of [1, 2, 3]) {
      const res = await deliver(
        order(9100 + n, (o) => {
          o.currency = "Euro"
        }),
        `bad-${n}`
      )
      expect(res.status).toBe(202)
      ids.push(((await res.json()) as { webhookId: string }).webhookId)
    }
    const page = await eventually(async () => {
      const r = await list<Webhooks>("/api/v1/webhooks?state=normalization_failed&source=shop-de")
      return r.body.webhooks.length === 3 ? r : undefined
    })
    expect(page.status).toBe(200)
    // Newest first: the order in which the worker recorded the failures.
    expect(page.body.webhooks.map((w) => w.webhookId).sort()).toEqual([...ids].sort())
    expect(page.body.webhooks[0]).toMatchObject({
      state: "normalization_failed",
      reason: "invalid_field",
      message: "currency: not an ISO 4217 currency code"
    })
    // Paged: newest first, the cursor leads to the rest.
    const first = await list<Webhooks>("/api/v1/webhooks?state=normalization_failed&limit=2")
    expect(first.body.webhooks).toHaveLength(2)
    const rest = await list<Webhooks>(
      `/api/v1/webhooks?state=normalization_failed&limit=2&cursor=${first.body.nextCursor}`
    )
    expect(rest.body.webhooks.map((w) => w.webhookId)).toEqual([page.body.webhooks[2]!.webhookId])
    expect(rest.body.nextCursor).toBeNull()
    expect(await metric("s2s_normalization_failures_total", { source: "shop-de", reason: "invalid_field" })).toBe(3)
    const messages = await eventually(async () => {
      const raised =
        await sql`select 1 from events where type = 'AlertRaised' and data->>'problem' = 'normalization_failed'`
      const settled =
        await sql`select 1 from events where type in ('AlertSent', 'AlertSuppressed') and stream_id like 'alert-normalization_failed:%'`
      return raised.length === 3 && settled.length === 3
        ? slack.filter((m) => m.text.includes("could not be normalized"))
        : undefined
    })
    expect(messages).toHaveLength(1)
    expect(ids.some((id) => messages[0]!.blocks.includes(id))).toBe(true)
    expect(messages[0]!.blocks).toContain("s2s renormalize --source shop-de --yes")
    const cli = await s2s(
      ["webhooks", "list", "--state", "normalization_failed", "--source", "shop-de"],
      service.databaseUrl
    )
    expect(cli.code).toBe(0)
    for (const id of ids) expect(cli.stdout).toContain(id)
    expect(cli.stdout).toMatch(/normalization_failed\s+invalid_field/)
  })

  it("answers a filter it does not know with 400, naming the known values", async () => {
    const r = await list<{ error: string; message: string }>("/api/v1/webhooks?state=lost")
    expect(r.status).toBe(400)
    expect(r.body.message).toContain("normalization_failed, rejected")
  })
})

describe("a signed body that is not JSON (WebhookRejected)", () => {
  it("is refused with 400, alerted, counted and listed with its reason", async () => {
    const res = await deliver('{"id": 9201, "total_price": ', "broken-1")
    expect(res.status).toBe(400)
    const page = await eventually(async () => {
      const r = await list<Webhooks>("/api/v1/webhooks?state=rejected")
      return r.body.webhooks.length === 1 ? r : undefined
    })
    expect(page.body.webhooks[0]).toMatchObject({ state: "rejected", reason: "invalid_json" })
    expect(await metric("s2s_webhooks_rejected_total", { source: "shop-de", reason: "invalid_json" })).toBe(1)
    const message = await eventually(async () => slack.find((m) => m.text.includes("refused with 400")))
    expect(message.blocks).toContain(page.body.webhooks[0]!.webhookId)
  })
})

describe("dispatch terminal states", () => {
  it("held: alerted with the command, counted, listed, reported, never replanned, and sent once more by one operator call", async () => {
    expect((await deliver(order(9301), "held-1")).status).toBe(202)
    const held = await eventually(async () => {
      const r = await list<Orders>("/api/v1/orders?dispatchState=held")
      return r.body.orders.find((o) => o.orderKey === "shop-de:9301")
    })
    expect(held.dispatchState).toBe("held")
    expect(partnerHits.filter((h) => h === "9301")).toHaveLength(1)
    const message = await eventually(async () => slack.find((m) => m.text.includes("shop-de:9301")))
    expect(message.blocks).toContain("s2s redispatch --order shop-de:9301 --target awin --yes")
    expect(message.blocks).toContain("POST /api/v1/redispatch")
    expect(await metric("s2s_dispatch_ambiguous_total", { channel: "postback", resolution: "hold" })).toBe(1)
    expect(await metric("s2s_dispatches_total", { channel: "postback", outcome: "held" })).toBe(1)
    // The outcome report counts it as held; a replan leaves the held pair alone (no second plan).
    expect((await report()).totals).toMatchObject({ orders: 1, eligible: 1, delivered: 0, failed: 0, held: 1 })
    const replan = await s2s(["replan", "--order", "shop-de:9301", "--yes", "--json"], service.databaseUrl)
    expect(replan.code).toBe(0)
    expect(JSON.parse(replan.stdout)).toMatchObject({ selected: 1, planned: 0, items: [] })
    expect(
      await sql`select 1 from events where stream_id = 'order-shop-de:9301' and type = 'DispatchPlanned'`
    ).toHaveLength(1)
    const resolve = await fetch(`${service.baseUrl}/api/v1/redispatch`, {
      method: "POST",
      headers: { authorization: `Bearer ${operate}`, "content-type": "application/json" },
      body: JSON.stringify({ orderKeys: ["shop-de:9301"], target: "awin", dryRun: false })
    })
    expect(resolve.status).toBe(200)
    await eventually(async () => {
      const r = await list<Orders>("/api/v1/orders?dispatchState=delivered")
      return r.body.orders.some((o) => o.orderKey === "shop-de:9301") ? true : undefined
    })
    expect(partnerHits.filter((h) => h === "9301")).toHaveLength(2)
    expect((await report()).totals).toMatchObject({ delivered: 1, acknowledged: 1, held: 0 })
    const [requested] = await sql<Array<{ data: { actor: string } }>>`
      select data from events where stream_id = 'order-shop-de:9301' and type = 'DispatchRequested'`
    expect(requested!.data.actor).toMatch(/^token:/)
  })

  it("permanently rejected and dead-lettered: alerted, counted and listed", async () => {
    expect((await deliver(order(9401), "rejected-1")).status).toBe(202)
    expect((await deliver(order(9501), "dead-1")).status).toBe(202)
    for (const [key, state] of [
      ["shop-de:9401", "failed"],
      ["shop-de:9501", "dead_lettered"]
    ] as const) {
      await eventually(async () => {
        const r = await list<Orders>(`/api/v1/orders?dispatchState=${state}`)
        return r.body.orders.some((o) => o.orderKey === key) ? true : undefined
      })
      await eventually(async () => slack.find((m) => m.text.includes(key)))
    }
    expect(await metric("s2s_dispatches_total", { channel: "postback", outcome: "failed" })).toBe(1)
    expect(await metric("s2s_dispatches_total", { channel: "postback", outcome: "dead_lettered" })).toBe(1)
  })
})
