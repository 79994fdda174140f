// The console's access rules through the real service: log-in with an API token into a session cookie,
// CSRF on every action, scopes (audit reads, operate acts, admin reveals), every action an event with
// the actor, expiry, log-out and revocation; and the signed links Slack alerts carry, which open one
// order, masked, without a token.
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { OrderDetail, SessionInfo } from "../../src/console/api/schemas.js"
import { checkOrderLink, signedOrderLink } from "../../src/console/links/signedLink.js"
import type { Sql } from "../../src/db/Db.js"
import type { RedispatchReport } from "../../src/operations/schemas.js"
import { Tokens, TokensLive } from "../../src/tokens/Tokens.js"
import { createToken, deliver, RAW_PII, shopifyOrder } from "../orders/support.js"
import { appSql, dbLayer, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { type ConsoleSession, consoleGet, consolePost, login } from "./support.js"

const SECRET = "shpss_console_session"
const PUBLIC_URL = "https://s2s.console.example"
const ORDER = "shop-de:5001"

let partner: FakeServer
let slack: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql
const tokens: Record<"audit" | "operate" | "admin" | "ingest", string> = {
  audit: "",
  operate: "",
  admin: "",
  ingest: ""
}

const events = (streamPrefix: string) =>
  sql<Array<{ stream_id: string; type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>>`
    select stream_id, type, data, metadata from events where stream_id like ${`${streamPrefix}%`} order by global_position`

beforeAll(async () => {
  partner = await fakeServer()
  partner.script([], { status: 500, body: "partner down" })
  slack = await fakeServer()
  slack.script([], {
    status: 200,
    body: JSON.stringify({ ok: true, channel: "C0CONSOLE", ts: "1773136800.000100" }),
    headers: { "content-type": "application/json" }
  })
  service = await startService({
    worker: true,
    env: {
      C_SHOPIFY_SECRET: SECRET,
      C_SLACK_TOKEN: "xoxb-console-test",
      SLACK_API_URL: `${slack.url}/api/`,
      S2S_PUBLIC_URL: PUBLIC_URL
    },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:C_SHOPIFY_SECRET }
  - { id: feed, kind: generic, company: acme }
partners:
  - { id: awin, when: [awc] }
targets:
  - id: awin
    channel: postback
    url: "${partner.url}/sread.php?ref={order_id}&cks={click_id}"
    retry: { initialDelay: 100ms, maxAttempts: 2 }
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
alerts:
  slack: { token: env:C_SLACK_TOKEN, channel: "#tracking" }
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
  for (const scope of ["audit", "operate", "admin"] as const)
    tokens[scope] = await createToken(service.databaseUrl, scope)
  tokens.ingest = await createToken(service.databaseUrl, "ingest", "feed")
  await deliver(
    service.baseUrl,
    "shop-de",
    SECRET,
    shopifyOrder({ id: 5001, createdAt: new Date().toISOString(), landing: "/p?awc=1001_console_abc" }),
    "wh-console-5001"
  )
  await eventually(async () => {
    const rows = await sql`select 1 from conversions where order_key = ${ORDER} and doc::text like '%dead_lettered%'`
    return rows.length > 0 ? true : undefined
  }, 30_000)
})

describe("log-in", () => {
  it("exchanges an API token for an HttpOnly, SameSite=Strict session cookie on /console (Secure behind https)", async () => {
    const session = await login(service.baseUrl, tokens.audit)
    expect(session.scope).toBe("audit")
    const attributes = session.setCookie.split(";").map((a) => a.trim().toLowerCase())
    expect(session.cookie).toMatch(/^s2s_console=[A-Za-z0-9_-]{43}$/)
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=strict", "path=/console", "secure"]))
    expect(attributes.some((a) => a.startsWith("max-age=43200"))).toBe(true)
    const me = await consoleGet<SessionInfo>(service.baseUrl, "/session", session)
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ scope: "audit", csrfToken: session.csrf })
    // The cookie is not the token, and the stored row holds only the cookie's hash.
    const [row] = await owner<Array<{ secret_sha256: Buffer; session_id: string }>>`
      select secret_sha256, session_id from console_sessions where session_id = ${me.body.sessionId}`
    expect(row?.secret_sha256).toHaveLength(32)
    const started = (await events(`console-session-${me.body.sessionId}`)).map((e) => [e.type, e.metadata.actor])
    expect(started).toEqual([["ConsoleSessionStarted", `token:${me.body.tokenId}`]])
  })

  it("refuses unknown tokens (401), ingest tokens (403), and no session at all (401)", async () => {
    const post = (token: string) =>
      fetch(`${service.baseUrl}/console/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token })
      })
    expect((await post("s2s_admin_notarealtoken")).status).toBe(401)
    const ingest = await post(tokens.ingest)
    expect(ingest.status).toBe(403)
    expect(ingest.headers.get("set-cookie")).toBeNull()
    expect((await consoleGet(service.baseUrl, "/session")).status).toBe(401)
    expect((await consoleGet(service.baseUrl, "/orders")).status).toBe(401)
  })

  it("refuses a log-in posted from another origin", async () => {
    const res = await fetch(`${service.baseUrl}/console/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ token: tokens.admin })
    })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { error: string }).error).toBe("csrf_rejected")
  })
})

describe("actions", () => {
  let operate: ConsoleSession
  beforeAll(async () => {
    operate = await login(service.baseUrl, tokens.operate)
  })

  it("need the session's CSRF token and this origin", async () => {
    const body = { orderKeys: [ORDER], target: "awin", dryRun: true }
    const without = await consolePost(service.baseUrl, "/redispatch", body, operate, { csrf: null })
    expect(without.status).toBe(403)
    expect(without.body).toMatchObject({ error: "csrf_rejected" })
    const forged = await consolePost(service.baseUrl, "/redispatch", body, operate, { csrf: "x".repeat(43) })
    expect(forged.status).toBe(403)
    const crossSite = await consolePost(service.baseUrl, "/redispatch", body, operate, {
      origin: "https://evil.example"
    })
    expect(crossSite.status).toBe(403)
    // Another session's token does not fit this one.
    const other = await login(service.baseUrl, tokens.operate)
    expect((await consolePost(service.baseUrl, "/redispatch", body, operate, { csrf: other.csrf })).status).toBe(403)
    expect((await consolePost(service.baseUrl, "/redispatch", body, operate)).status).toBe(200)
  })

  it("are refused to an audit session, with the scope it needs", async () => {
    const audit = await login(service.baseUrl, tokens.audit)
    const refused = await consolePost<{ error: string; message: string }>(
      service.baseUrl,
      "/redispatch",
      { orderKeys: [ORDER], target: "awin", dryRun: true },
      audit
    )
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({
      error: "insufficient_scope",
      message: "this needs a token with scope operate or higher (you are signed in as audit)"
    })
    expect((await consolePost(service.baseUrl, "/renormalize", { state: "failed" }, audit)).status).toBe(403)
  })

  it("re-dispatch a dead letter: the dry run sends nothing, the confirmation records the actor", async () => {
    const sent = partner.requests.length
    const dry = await consolePost<RedispatchReport>(
      service.baseUrl,
      "/redispatch",
      { orderKeys: [ORDER], target: "awin", state: "dead_lettered", dryRun: true },
      operate
    )
    expect(dry.status).toBe(200)
    expect(dry.body.items.map((i) => [i.targetId, i.state, i.action])).toEqual([
      ["awin", "dead_lettered", "would_send"]
    ])
    expect(dry.body.items[0]?.request?.url).toContain("cks=1001_console_abc")
    expect((await events(`order-${ORDER}`)).some((e) => e.type === "DispatchRequested")).toBe(false)

    partner.script([], { status: 200, body: "OK" })
    const done = await consolePost<RedispatchReport>(
      service.baseUrl,
      "/redispatch",
      { orderKeys: [ORDER], target: "awin", state: "dead_lettered", dryRun: false, reason: "partner is back" },
      operate
    )
    expect(done.body.items.map((i) => i.action)).toEqual(["requested"])
    const me = await consoleGet<SessionInfo>(service.baseUrl, "/session", operate)
    const requested = (await events(`order-${ORDER}`)).find((e) => e.type === "DispatchRequested")
    expect(requested?.data).toMatchObject({ actor: `token:${me.body.tokenId}`, reason: "partner is back" })
    expect(requested?.metadata).toMatchObject({ actor: `token:${me.body.tokenId}`, source: "console:redispatch" })
    await partner.waitFor(sent + 1)
    await eventually(async () =>
      (await events(`order-${ORDER}`)).some((e) => e.type === "DispatchSucceeded") ? true : undefined
    )
  })
})

describe("personal data", () => {
  it("is masked for every session until an admin reveals it, and the reveal is in the order's log", async () => {
    const operate = await login(service.baseUrl, tokens.operate)
    const masked = await consoleGet<OrderDetail>(
      service.baseUrl,
      `/order?orderKey=${encodeURIComponent(ORDER)}`,
      operate
    )
    expect(masked.status).toBe(200)
    expect(masked.body.revealed).toBe(false)
    const maskedText = JSON.stringify(masked.body)
    for (const pii of RAW_PII) expect(maskedText).not.toContain(pii)
    expect(masked.body.timeline.some((t) => t.stage === "dispatch" && t.status === "dead_lettered")).toBe(true)

    const refused = await consolePost(
      service.baseUrl,
      "/order/reveal",
      { orderKey: ORDER, reason: "customer call" },
      operate
    )
    expect(refused.status).toBe(403)

    const admin = await login(service.baseUrl, tokens.admin)
    const plain = await consoleGet<OrderDetail>(service.baseUrl, `/order?orderKey=${encodeURIComponent(ORDER)}`, admin)
    expect(JSON.stringify(plain.body)).not.toContain(RAW_PII[0])
    const revealed = await consolePost<OrderDetail>(
      service.baseUrl,
      "/order/reveal",
      { orderKey: ORDER, reason: "customer asked for a copy" },
      admin
    )
    expect(revealed.status).toBe(200)
    expect(revealed.body.revealed).toBe(true)
    expect(JSON.stringify(revealed.body)).toContain(RAW_PII[0])
    const me = await consoleGet<SessionInfo>(service.baseUrl, "/session", admin)
    const recorded = (await events("console-session-")).filter((e) => e.type === "PersonalDataRevealed")
    expect(recorded.map((e) => e.data)).toEqual([
      {
        orderKey: ORDER,
        sessionId: me.body.sessionId,
        actor: `token:${me.body.tokenId}`,
        reason: "customer asked for a copy"
      }
    ])
    // The order's own log lists it, for every reader.
    const log = await consoleGet<OrderDetail>(service.baseUrl, `/order?orderKey=${encodeURIComponent(ORDER)}`, operate)
    expect(log.body.log.events.map((e) => e.type)).toContain("PersonalDataRevealed")
    expect(log.body.timeline.find((t) => t.status === "revealed")?.what).toBe(
      `personal data revealed to token:${me.body.tokenId} in the console: customer asked for a copy`
    )
  })

  it("cannot be revealed for an order that does not exist (nothing recorded)", async () => {
    const admin = await login(service.baseUrl, tokens.admin)
    const before = (await events("console-session-")).length
    const res = await consolePost(service.baseUrl, "/order/reveal", { orderKey: "shop-de:none", reason: "typo" }, admin)
    expect(res.status).toBe(404)
    expect((await events("console-session-")).length).toBe(before)
  })
})

describe("sessions end", () => {
  it("at log-out (recorded), and the cookie is cleared", async () => {
    const session = await login(service.baseUrl, tokens.audit)
    const me = await consoleGet<SessionInfo>(service.baseUrl, "/session", session)
    const out = await consolePost(service.baseUrl, "/logout", {}, session)
    expect(out.status).toBe(200)
    expect(out.headers.get("set-cookie")).toMatch(/^s2s_console=; .*Expires=Thu, 01 Jan 1970/)
    expect((await consoleGet(service.baseUrl, "/session", session)).status).toBe(401)
    const types = (await events(`console-session-${me.body.sessionId}`)).map((e) => e.type)
    expect(types).toEqual(["ConsoleSessionStarted", "ConsoleSessionEnded"])
  })

  it("when they expire", async () => {
    const session = await login(service.baseUrl, tokens.audit)
    const me = await consoleGet<SessionInfo>(service.baseUrl, "/session", session)
    expect(Date.parse(me.body.expiresAt) - Date.now()).toBeGreaterThan(11 * 3_600_000)
    await owner`update console_sessions set expires_at = now() - interval '1 second' where session_id = ${me.body.sessionId}`
    expect((await consoleGet(service.baseUrl, "/session", session)).status).toBe(401)
  })

  it("when their token is revoked", async () => {
    const token = await createToken(service.databaseUrl, "operate")
    const session = await login(service.baseUrl, token)
    const me = await consoleGet<SessionInfo>(service.baseUrl, "/session", session)
    await Effect.runPromise(
      Effect.flatMap(Tokens, (t) => t.revoke(me.body.tokenId, "test")).pipe(
        Effect.provide(TokensLive.pipe(Layer.provide(dbLayer(service.databaseUrl))))
      )
    )
    expect((await consoleGet(service.baseUrl, "/orders", session)).status).toBe(401)
  })
})

describe("signed links", () => {
  const keyOf = async () => {
    const [row] = await sql<Array<{ link_secret: Buffer }>>`select link_secret from console_settings`
    return new Uint8Array(row!.link_secret)
  }
  const linkParams = (url: string) => new URL(url).search

  it("are what the Slack alert links to: S2S_PUBLIC_URL, /console/link, signed, 14 days", async () => {
    const message = await eventually(async () => slack.requests.find((r) => decodeURIComponent(r.body).includes(ORDER)))
    const text = decodeURIComponent(message.body.replace(/\+/g, " "))
    const url = /<(https:\/\/s2s\.console\.example\/console\/link\?[^|>]+)\|/.exec(text)?.[1]
    expect(url).toBeDefined()
    const params = new URL(url!).searchParams
    const check = checkOrderLink(await keyOf(), Object.fromEntries(params), new Date())
    expect(check).toMatchObject({ ok: true, orderKey: ORDER })
    const days = ((check as { expiresAt: number }).expiresAt * 1000 - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(13.9)
    expect(days).toBeLessThanOrEqual(14)
    // It still names the CLI for those who prefer it.
    expect(text).toContain(`s2s orders log ${ORDER}`)
  })

  it("open the order read-only and masked, without a token or session", async () => {
    const link = signedOrderLink(await keyOf(), PUBLIC_URL, ORDER, Math.floor(Date.now() / 1000) + 3600)
    const res = await consoleGet<{ order: OrderDetail; expiresAt: string }>(service.baseUrl, `/link${linkParams(link)}`)
    expect(res.status).toBe(200)
    expect(res.body.order.view.orderKey).toBe(ORDER)
    expect(res.body.order.revealed).toBe(false)
    const text = JSON.stringify(res.body)
    for (const pii of RAW_PII) expect(text).not.toContain(pii)
    expect(res.body.order.log.events.length).toBeGreaterThan(3)
  })

  it("refuse a changed order key, a forged signature and an expired link", async () => {
    const key = await keyOf()
    const expiresAt = Math.floor(Date.now() / 1000) + 3600
    const good = new URL(signedOrderLink(key, PUBLIC_URL, ORDER, expiresAt)).searchParams
    const other = new URLSearchParams(good)
    other.set("order", "shop-de:5002")
    const forged = new URL(signedOrderLink(new Uint8Array(32), PUBLIC_URL, ORDER, expiresAt)).search
    const expired = new URL(signedOrderLink(key, PUBLIC_URL, ORDER, Math.floor(Date.now() / 1000) - 1)).search
    const later = new URLSearchParams(good)
    later.set("exp", String(expiresAt + 86_400))
    for (const [search, message] of [
      [`?${other}`, "this link is not valid: it was changed, or signed by another installation"],
      [forged, "this link is not valid: it was changed, or signed by another installation"],
      [`?${later}`, "this link is not valid: it was changed, or signed by another installation"],
      [expired, "this link has expired: links in alerts are valid for a limited time; ask for the order's log"],
      ["?order=shop-de%3A5001", "this link is incomplete: open it exactly as the alert gave it"]
    ] as const) {
      const res = await consoleGet(service.baseUrl, `/link${search}`)
      expect(res.status).toBe(403)
      expect(res.body).toEqual({ error: "link_refused", message })
    }
  })

  it("give no access to anything else", async () => {
    const link = signedOrderLink(await keyOf(), PUBLIC_URL, ORDER, Math.floor(Date.now() / 1000) + 3600)
    const res = await fetch(`${service.baseUrl}/console/api/orders${linkParams(link)}`)
    expect(res.status).toBe(401)
  })
})
