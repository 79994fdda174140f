// Honest outgoing requests: everything the service sends to a partner (a postback, Meta's Graph API,
// Google's OAuth and Data Manager endpoints, Slack's Web API) says `User-Agent: s2s/<version>` and
// carries none of the browser headers Node's fetch adds (sec-fetch-mode, accept-language, ...).
// One server on loopback plays every partner and records each request's raw header lines.
import * as fs from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "../support/fakeServer.js"
import { startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const VERSION = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { version: string }).version
const SECRET = "shpss_outbound"

interface Seen {
  readonly path: string
  /** Header names exactly as sent, lower-cased, in order. */
  readonly names: ReadonlyArray<string>
  readonly headers: IncomingMessage["headers"]
}
const seen: Array<Seen> = []

const answer = (path: string): unknown => {
  if (path.startsWith("/graph/")) return { events_received: 1, fbtrace_id: "AbC" }
  if (path.startsWith("/oauth/")) return { access_token: "ya29.t", expires_in: 3599, token_type: "Bearer" }
  if (path.startsWith("/dm/")) return { requestId: "req-1" }
  if (path.startsWith("/slack/")) return { ok: true, channel: "C1", ts: "1.000" }
  return "OK"
}

const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    const path = (req.url ?? "").split("?")[0]!
    seen.push({
      path,
      names: req.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()),
      headers: req.headers
    })
    const body = answer(path)
    res.writeHead(200, { "content-type": typeof body === "string" ? "text/plain" : "application/json" })
    res.end(typeof body === "string" ? body : JSON.stringify(body))
  })
})

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "+00:00")
const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

let baseUrl: string

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const service = await startService({
    worker: true,
    env: {
      O_SHOPIFY: SECRET,
      META_GRAPH_URL: `${origin}/graph`,
      GOOGLE_DATA_MANAGER_URL: `${origin}/dm`,
      GOOGLE_OAUTH_TOKEN_URL: `${origin}/oauth/token`,
      SLACK_API_URL: `${origin}/slack/`,
      O_META_TOKEN: "EAAB-outbound",
      O_SLACK_TOKEN: "xoxb-outbound",
      O_GOOGLE: JSON.stringify({ type: "authorized_user", client_id: "c", client_secret: "s", refresh_token: "r" })
    },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:O_SHOPIFY }
partners:
  - { id: awin, when: [awc] }
  - { id: google, when: [gclid, "utm_source=google"] }
targets:
  - { id: meta-acme, channel: meta-capi, pixelId: "112233", accessToken: env:O_META_TOKEN }
  - { id: google-acme, channel: google-ads, customerId: "1234567890", conversionActionId: "9876", credentials: env:O_GOOGLE, defaultConsent: granted }
  - { id: awin, channel: postback, url: "${origin}/postback?cks={click_id}&items={items}" }
rules:
  - { id: meta, company: "*", product: "*", partner: "*", target: meta-acme }
  - { id: google, company: "*", product: "*", partner: google, target: google-acme }
  - { id: awin, company: "*", product: "*", partner: awin, target: awin }
alerts:
  slack: { token: env:O_SLACK_TOKEN, channel: "#alerts" }
`
  })
  baseUrl = service.baseUrl
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const deliver = async (id: number, landing: string) => {
  const at = hoursAgo(7)
  const body = JSON.stringify({
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    created_at: at,
    processed_at: at,
    updated_at: at,
    landing_site: landing
  })
  const res = await post(
    `${baseUrl}/webhooks/shop-de`,
    body,
    shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `o-${id}` })
  )
  expect(res.status).toBe(202)
}

describe("every outgoing request", () => {
  it("says User-Agent: s2s/<version> and sends no browser headers", async () => {
    await deliver(920001, "/p?gclid=Cj0KCQiAgJa6BhCOARIsAMiL7V8x&utm_source=google") // Meta, OAuth, Data Manager
    await deliver(920002, "/p?awc=1001_1732871512_abc") // Meta, postback
    await deliver(920003, "/p?utm_source=google&utm_campaign=lost") // Meta, and a tracking alert to Slack
    const kinds = ["/graph/", "/oauth/", "/dm/", "/postback", "/slack/"]
    await eventually(
      async () => (kinds.every((k) => seen.some((s) => s.path.startsWith(k))) ? true : undefined),
      30_000
    )

    for (const request of seen) {
      expect(request.headers["user-agent"], request.path).toBe(`s2s/${VERSION}`)
      expect(
        request.names.filter((n) => n === "user-agent"),
        request.path
      ).toHaveLength(1)
      for (const name of request.names) {
        expect(name, `${request.path} sent ${name}`).not.toMatch(
          /^(sec-|accept-language$|accept-encoding$|origin$|referer$)/
        )
      }
    }
    const postback = seen.find((s) => s.path === "/postback")!
    // A GET postback: nothing but what HTTP/1.1 needs and who we are.
    expect([...postback.names].sort()).toEqual(["connection", "host", "user-agent"])
  })
})
