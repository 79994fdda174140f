// s2s_webhooks_total through the real endpoint: one count per request, labelled with the source id
// when the source is configured (enabled or not) and "unknown" for any other path, and with the
// outcome (accepted, duplicate, refused_<status>).
import { readFileSync } from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const SECRET = "shpss_metrics_secret"
const CONFIG = `
sources:
  - { id: shop-m, kind: shopify, company: acme, secret: env:T_METRICS_SHOPIFY_SECRET }
  - { id: shop-m-off, kind: shopify, company: acme, secret: env:T_METRICS_SHOPIFY_SECRET, enabled: false }
`
const body = readFileSync(new URL("../fixtures/shopify/orders-paid.json", import.meta.url), "utf8")

const counts = async (baseUrl: string) => {
  const text = await (await fetch(`${baseUrl}/metrics`)).text()
  const out: Record<string, number> = {}
  for (const m of text.matchAll(/^s2s_webhooks_total\{source="([^"]*)",outcome="([^"]*)"\} (\d+)$/gm))
    out[`${m[1]} ${m[2]}`] = Number(m[3])
  return out
}

describe("s2s_webhooks_total", () => {
  let service: RunningService
  beforeAll(async () => {
    service = await startService({ config: CONFIG, env: { T_METRICS_SHOPIFY_SECRET: SECRET } })
  })

  it("counts each request by source and outcome", async () => {
    const before = await counts(service.baseUrl)
    const url = (source: string) => `${service.baseUrl}/webhooks/${source}`
    const headers = shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `metrics-${Date.now()}` })
    expect((await post(url("shop-m"), body, headers)).status).toBe(202)
    expect((await post(url("shop-m"), body, headers)).status).toBe(202)
    expect((await post(url("shop-m"), body, { ...headers, "x-shopify-hmac-sha256": "AAAA" })).status).toBe(401)
    expect((await post(url("shop-m-off"), body, headers)).status).toBe(404)
    expect((await post(url("no-such-source"), body, headers)).status).toBe(404)
    const after = await counts(service.baseUrl)
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0)
    expect(delta("shop-m accepted")).toBe(1)
    expect(delta("shop-m duplicate")).toBe(1)
    expect(delta("shop-m refused_401")).toBe(1)
    expect(delta("shop-m-off refused_404")).toBe(1)
    expect(delta("unknown refused_404")).toBe(1)
    expect(Object.keys(after).some((k) => k.startsWith("no-such-source"))).toBe(false)
  })
})
