// The webhook body budget through the real endpoint: while bodies already being received hold all of
// it, a new webhook is answered 503 with Retry-After (its body never read) instead of being buffered;
// once they are done, webhooks are accepted again.

import { readFileSync } from "node:fs"
import { request } from "node:http"
import { beforeAll, describe, expect, it } from "vitest"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { waitUntil } from "../support/wait.js"

const SECRET = "shpss_budget_secret"
const CONFIG = `
sources:
  - { id: shop-b, kind: shopify, company: acme, secret: env:T_BUDGET_SHOPIFY_SECRET }
`
const body = readFileSync(new URL("../fixtures/shopify/orders-paid.json", import.meta.url), "utf8")

describe("the in-flight body budget", () => {
  let service: RunningService
  beforeAll(async () => {
    service = await startService({
      config: CONFIG,
      // A short wait for room: every probe below that finds none is answered after it.
      env: {
        T_BUDGET_SHOPIFY_SECRET: SECRET,
        INGEST_MAX_BYTES_IN_FLIGHT: String(1024 * 1024),
        INGEST_BODY_WAIT_MS: "300"
      }
    })
  })

  it("answers 503 + Retry-After while the budget is taken, and accepts again once it is free", async () => {
    // A slow sender announces a 1 MiB body and sends a little of it: it holds the whole budget.
    const slow = request(`${service.baseUrl}/webhooks/shop-b`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(1024 * 1024) }
    })
    const slowAnswer = new Promise<number>((resolve) => slow.on("response", (res) => resolve(res.statusCode ?? 0)))
    slow.on("error", () => undefined)
    slow.write("{".padEnd(1000, " "))

    const url = `${service.baseUrl}/webhooks/shop-b`
    // Held once an unsigned probe is refused for room (503) instead of for its signature (401): the
    // probe stores nothing either way.
    await waitUntil(
      "the slow sender holds the budget",
      async () => (await post(url, "{}", { "content-type": "application/json" })).status === 503
    )
    const busy = await post(url, body, shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": "budget-1" }))
    expect(busy.status).toBe(503)
    expect(busy.headers.get("retry-after")).toBe("5")
    expect(await busy.json()).toEqual({ error: "busy", message: expect.stringContaining("retry") })

    slow.end("".padEnd(1024 * 1024 - 1000, " "))
    expect(await slowAnswer).toBe(401)
    const accepted = await post(url, body, shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": "budget-2" }))
    expect(accepted.status).toBe(202)
  })
})
