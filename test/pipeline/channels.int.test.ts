// Paid orders from the Shopify, WooCommerce and Stripe fixtures, through the real service, reach fake
// Meta Graph, Google Data Manager and OAuth servers with the documented bodies (hashes checked byte
// for byte); refunds produce adjustments; error classes end in the right state.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders, stripeHeaders, wooHeaders } from "../support/signers.js"

const sha = (s: string) => createHash("sha256").update(s).digest("hex")
const SECRETS = { C_SHOPIFY: "shpss_channels", C_WOO: "woo_channels", C_STRIPE: "whsec_channels" }

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000)
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00")

/** A fixture with its times moved to `at` (Google wants clicks older than 6 h, Meta events newer than 7 days). */
const fixture = (file: string, at: Date, extra: Record<string, unknown> = {}) => {
  const body = JSON.parse(fs.readFileSync(`test/fixtures/${file}`, "utf8")) as Record<string, unknown>
  for (const key of ["created_at", "processed_at", "updated_at"]) if (key in body) body[key] = iso(at)
  for (const key of ["date_created", "date_modified", "date_paid"]) if (key in body) body[key] = iso(at).slice(0, 19)
  for (const key of ["date_created_gmt", "date_modified_gmt", "date_paid_gmt"])
    if (key in body) body[key] = iso(at).slice(0, 19)
  return JSON.stringify({ ...body, ...extra })
}

let graph: FakeServer
let dm: FakeServer
let oauth: FakeServer
let service: RunningService
let sql: Sql

const events = (orderKey: string) =>
  sql<Array<{ type: string; data: Record<string, unknown> }>>`
    select type, data from events where stream_id = ${`order-${orderKey}`} order by stream_version`

const until = (orderKey: string, done: (types: Array<string>) => boolean) =>
  eventually(async () => {
    const types = (await events(orderKey)).map((e) => e.type)
    return done(types) ? types : undefined
  }, 20_000)

const count = (types: Array<string>, t: string) => types.filter((x) => x === t).length

const dataOf = async (orderKey: string, type: string, targetId: string, kind = "conversion") =>
  (await events(orderKey)).find((e) => e.type === type && e.data.targetId === targetId && e.data.kind === kind)?.data

const unix = (d: Date) => Math.floor(d.getTime() / 1000)

/** A Stripe event at `at`, its session / charge created then too, with its own event and payment ids. */
const stripeEvent = (
  file: string,
  at: Date,
  ids: { evt: string; pi: string },
  object: Record<string, unknown> = {}
) => {
  const body = JSON.parse(fs.readFileSync(`test/fixtures/stripe/${file}`, "utf8")) as {
    data: { object: Record<string, unknown> }
  }
  return JSON.stringify({
    ...body,
    id: ids.evt,
    created: unix(at),
    data: { object: { ...body.data.object, created: unix(at), payment_intent: ids.pi, ...object } }
  })
}

const postStripe = async (body: string) =>
  (await post(`${service.baseUrl}/webhooks/stripe-eu`, body, stripeHeaders(body, SECRETS.C_STRIPE))).status

const postShopify = async (body: string, webhookId: string) =>
  (
    await post(
      `${service.baseUrl}/webhooks/shop-de`,
      body,
      shopifyHeaders(body, SECRETS.C_SHOPIFY, { "x-shopify-webhook-id": webhookId })
    )
  ).status

/** The Shopify order with another id (a distinct order), at `at`. */
const shopifyOrder = (id: number, at: Date, extra: Record<string, unknown> = {}) =>
  fixture("shopify/orders-paid.json", at, { id, admin_graphql_api_id: `gid://shopify/Order/${id}`, ...extra })

const STRIPE_GCLID = "Cj0KCQiA_9u5BhCUARIsABbMSPvKx3zQ1nL8rT5yWc2mE7dH4sF6gJ0kP9oU3iB1aR8vN2tY5lXqAhZ-EALw_wcB"

beforeAll(async () => {
  graph = await fakeServer()
  dm = await fakeServer()
  oauth = await fakeServer()
  graph.script([], { status: 200, body: JSON.stringify({ events_received: 1, fbtrace_id: "AbC" }) })
  dm.script([], { status: 200, body: JSON.stringify({ requestId: "req-1" }) })
  oauth.script([], {
    status: 200,
    body: JSON.stringify({ access_token: "ya29.test-token", expires_in: 3599, token_type: "Bearer" })
  })
  service = await startService({
    worker: true,
    env: {
      ...SECRETS,
      META_GRAPH_URL: graph.url,
      GOOGLE_DATA_MANAGER_URL: dm.url,
      GOOGLE_OAUTH_TOKEN_URL: `${oauth.url}/token`,
      C_META_TOKEN: "EAAB-test-token",
      C_GOOGLE_CREDENTIALS: JSON.stringify({
        type: "authorized_user",
        client_id: "cid",
        client_secret: "csecret",
        refresh_token: "rtoken"
      })
    },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:C_SHOPIFY }
  - { id: woo-se, kind: woocommerce, company: acme, market: SE, secret: env:C_WOO }
  - { id: stripe-eu, kind: stripe, company: acme, secret: env:C_STRIPE }
partners:
  - { id: google, when: [gclid, gbraid, wbraid] }
  - { id: meta, when: [fbclid, fbc] }
targets:
  - { id: meta-acme, channel: meta-capi, pixelId: "112233445566", accessToken: env:C_META_TOKEN, eventSourceUrl: "https://www.acme-vitamins.com/", retry: { initialDelay: 200ms } }
  - { id: google-acme, channel: google-ads, customerId: "1234567890", conversionActionId: "987654321", credentials: env:C_GOOGLE_CREDENTIALS, defaultConsent: granted }
rules:
  - { id: all-meta, company: acme, product: "*", partner: "*", target: meta-acme }
  - { id: google, company: acme, product: "*", partner: google, target: google-acme }
`
  })
  sql = appSql(service.databaseUrl)
})

describe("Meta and Google through the pipeline", () => {
  it("sends a Shopify order to Meta and Google with the documented, hashed bodies", async () => {
    const body = fixture("shopify/orders-paid.json", hoursAgo(7))
    expect(
      (
        await post(
          `${service.baseUrl}/webhooks/shop-de`,
          body,
          shopifyHeaders(body, SECRETS.C_SHOPIFY, { "x-shopify-webhook-id": "c-1" })
        )
      ).status
    ).toBe(202)
    const types = await until("shop-de:5678901234567", (t) => count(t, "DispatchSucceeded") === 2)
    expect(count(types, "DispatchAttempted")).toBe(2)

    const meta = graph.requests.find((r) => r.body.includes("5678901234567"))!
    expect(meta.method).toBe("POST")
    expect(meta.url.startsWith("/v")).toBe(true)
    expect(meta.url).toMatch(/^\/v\d+\.\d+\/112233445566\/events/)
    const payload = JSON.parse(meta.body) as { data: Array<Record<string, unknown>>; access_token?: string }
    const event = payload.data[0] as {
      event_name: string
      event_id: string
      event_time: number
      action_source: string
      user_data: Record<string, unknown>
      custom_data: Record<string, unknown>
    }
    expect(event).toMatchObject({ event_name: "Purchase", event_id: "shop-de:5678901234567", action_source: "website" })
    // Shopify's landing_site is a path: the event still carries an absolute event_source_url.
    expect((event as { event_source_url?: string }).event_source_url).toMatch(/^https:\/\/[^/]+\//)
    expect(Math.abs(event.event_time - hoursAgo(7).getTime() / 1000)).toBeLessThan(120)
    expect(event.user_data.em).toEqual([sha("lena.mueller@example.de")])
    expect(event.user_data.ph).toEqual([sha("4915123456789")])
    expect(event.user_data.country).toEqual([sha("de")])
    expect(event.user_data.zp).toEqual([sha("10115")])
    expect(event.user_data.ct).toEqual([sha("berlin")])
    expect(event.user_data.fbp).toBe("fb.1.1732871512345.987654321")
    expect(event.user_data.client_ip_address).toBe("203.0.113.42")
    expect(event.custom_data).toMatchObject({ currency: "EUR", value: 63.26, order_id: "5678901234567" })

    expect(oauth.requests).toHaveLength(1)
    expect(new URLSearchParams(oauth.requests[0]!.body).get("grant_type")).toBe("refresh_token")
    const google = dm.requests.find((r) => r.body.includes("5678901234567"))!
    expect(google.url).toBe("/v1/events:ingest")
    expect(google.headers.authorization).toBe("Bearer ya29.test-token")
    const ingest = JSON.parse(google.body) as {
      destinations: Array<unknown>
      events: Array<Record<string, unknown>>
      encoding: string
    }
    expect(ingest.destinations).toEqual([
      { operatingAccount: { accountType: "GOOGLE_ADS", accountId: "1234567890" }, productDestinationId: "987654321" }
    ])
    expect(ingest.encoding).toBe("HEX")
    expect(ingest.events[0]).toMatchObject({
      transactionId: "5678901234567",
      conversionValue: 63.26,
      currency: "EUR",
      adIdentifiers: {
        gclid: "Cj0KCQiAgJa6BhCOARIsAMiL7V8xQf2Zk9pTqLr3vN1eWmYbHcDsUoJ4aE5tGiK0wX7yR6uP2nMaAk0BEALw_wcB"
      },
      userData: {
        userIdentifiers: [{ emailAddress: sha("lena.mueller@example.de") }, { phoneNumber: sha("+4915123456789") }]
      },
      consent: { adUserData: "CONSENT_GRANTED", adPersonalization: "CONSENT_GRANTED" }
    })
    // The secrets never reach the log.
    const log = JSON.stringify(await events("shop-de:5678901234567"))
    expect(log).not.toContain("EAAB-test-token")
    expect(log).not.toContain("ya29.test-token")
  })

  it("sends a Swedish WooCommerce order with the phone in E.164 from a local number", async () => {
    const body = fixture("woocommerce/order-created-processing.json", hoursAgo(8))
    expect(
      (await post(`${service.baseUrl}/webhooks/woo-se`, body, wooHeaders(body, SECRETS.C_WOO, "order.created"))).status
    ).toBe(202)
    await until("woo-se:4523", (t) => count(t, "DispatchSucceeded") === 2)
    const meta = JSON.parse(graph.requests.find((r) => r.body.includes("woo-se:4523"))!.body) as {
      data: Array<{ user_data: Record<string, unknown> }>
    }
    expect(meta.data[0]!.user_data.em).toEqual([sha("erik.lindqvist@example.se")])
    expect(meta.data[0]!.user_data.ph).toEqual([sha("46701234567")])
    const google = JSON.parse(dm.requests.find((r) => r.body.includes('"4523"'))!.body) as {
      events: Array<{ userData: unknown; currency: string }>
    }
    expect(google.events[0]!.currency).toBe("SEK")
    expect(google.events[0]!.userData).toEqual({
      userIdentifiers: [{ emailAddress: sha("erik.lindqvist@example.se") }, { phoneNumber: sha("+46701234567") }]
    })
  })

  it("sends a Stripe checkout to Meta (no Google click id: no Google target)", async () => {
    const body = fixture("stripe/checkout-session-completed-chf.json", hoursAgo(7), {
      created: Math.floor(hoursAgo(7).getTime() / 1000)
    })
    const res = await post(`${service.baseUrl}/webhooks/stripe-eu`, body, stripeHeaders(body, SECRETS.C_STRIPE))
    expect(res.status).toBe(202)
    const key = await eventually(async () => {
      const rows =
        await sql`select stream_id from events where type = 'DispatchSucceeded' and stream_id like 'order-stripe-eu:%' limit 1`
      return rows[0]?.stream_id as string | undefined
    }, 20_000)
    const types = (await events(key.slice("order-".length))).map((e) => e.type)
    expect(types).toContain("DispatchSucceeded")
  })

  it("restates the Google conversion after a partial refund; Meta gets no adjustment", async () => {
    const before = dm.requests.length
    const body = fixture("shopify/refunds-create-partial.json", hoursAgo(1))
    const res = await post(
      `${service.baseUrl}/webhooks/shop-de`,
      body,
      shopifyHeaders(body, SECRETS.C_SHOPIFY, {
        "x-shopify-topic": "refunds/create",
        "x-shopify-webhook-id": "c-refund-1"
      })
    )
    expect(res.status).toBe(202)
    const types = await until(
      "shop-de:5678901234567",
      (t) => t.includes("OrderRefunded") && count(t, "DispatchSucceeded") >= 3
    )
    expect(types).toContain("OrderRefunded")
    const plans = (await events("shop-de:5678901234567")).filter((e) => e.type === "DispatchPlanned")
    expect(plans.at(-1)!.data).toMatchObject({
      trigger: "refund",
      targets: [{ targetId: "google-acme", kind: "restatement", valueMinor: 6326 - 2245 }]
    })
    expect(dm.requests.length).toBe(before + 1)
    const restated = JSON.parse(dm.requests.at(-1)!.body) as {
      events: Array<{ transactionId: string; conversionValue: number }>
    }
    expect(restated.events[0]).toMatchObject({ transactionId: "5678901234567", conversionValue: 40.81 })
  })

  it("ends each error class in the right state: 190 permanent, 500 retried", async () => {
    graph.script(
      [
        {
          status: 400,
          body: JSON.stringify({
            error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190, fbtrace_id: "x" }
          })
        }
      ],
      { status: 200, body: JSON.stringify({ events_received: 1 }) }
    )
    const a = fixture("shopify/orders-paid.json", hoursAgo(7), {
      id: 5678901234999,
      admin_graphql_api_id: "gid://shopify/Order/5678901234999",
      landing_site: "/?fbclid=IwAR0abc"
    })
    await post(
      `${service.baseUrl}/webhooks/shop-de`,
      a,
      shopifyHeaders(a, SECRETS.C_SHOPIFY, { "x-shopify-webhook-id": "c-err-1" })
    )
    await until("shop-de:5678901234999", (t) => t.includes("DispatchFailed"))
    const failed = (await events("shop-de:5678901234999")).find((e) => e.type === "DispatchFailed")!.data
    expect(failed).toMatchObject({ targetId: "meta-acme", retryable: false, reason: "Unauthorized" })

    graph.script([{ status: 500, body: "{}" }], { status: 200, body: JSON.stringify({ events_received: 1 }) })
    const b = fixture("shopify/orders-paid.json", hoursAgo(7), {
      id: 5678901234888,
      admin_graphql_api_id: "gid://shopify/Order/5678901234888",
      landing_site: "/?fbclid=IwAR0def"
    })
    await post(
      `${service.baseUrl}/webhooks/shop-de`,
      b,
      shopifyHeaders(b, SECRETS.C_SHOPIFY, { "x-shopify-webhook-id": "c-err-2" })
    )
    const types = await until("shop-de:5678901234888", (t) => t.includes("DispatchSucceeded"))
    expect(types.filter((t) => t === "DispatchFailed")).toHaveLength(1)
    expect((await events("shop-de:5678901234888")).find((e) => e.type === "DispatchFailed")!.data).toMatchObject({
      retryable: true,
      reason: "ServerError"
    })
  })

  it("sends a Stripe checkout with a gclid to Meta and Google, field by field", async () => {
    const at = hoursAgo(7)
    expect(await postStripe(stripeEvent("checkout-session-completed.json", at, { evt: "evt_c_1", pi: "pi_c_1" }))).toBe(
      202
    )
    const key = "stripe-eu:pi_c_1"
    const types = await until(key, (t) => count(t, "DispatchSucceeded") === 2)
    expect(count(types, "DispatchAttempted")).toBe(2)

    const meta = graph.requests.find((r) => r.body.includes(key))!
    expect(meta.url).toBe("/v25.0/112233445566/events?access_token=EAAB-test-token")
    expect(JSON.parse(meta.body)).toEqual({
      data: [
        {
          event_name: "Purchase",
          event_time: unix(at),
          event_id: key,
          action_source: "website",
          event_source_url: "https://www.acme-vitamins.com/fr/vitamine-d3",
          user_data: {
            em: [sha("camille.dubois@example.fr")],
            ph: [sha("33612345678")],
            fn: [sha("camille")],
            ln: [sha("dubois")],
            ct: [sha("lyon")],
            zp: [sha("69002")],
            country: [sha("fr")],
            // Meta's normalization for external_id: lower case, no whitespace.
            external_id: [sha("cus_rabcdefgh12345")]
          },
          custom_data: { value: 59.9, currency: "EUR", content_type: "product", order_id: "pi_c_1" }
        }
      ]
    })

    const google = dm.requests.find((r) => r.body.includes('"pi_c_1"'))!
    expect(google.headers.authorization).toBe("Bearer ya29.test-token")
    expect(JSON.parse(google.body)).toEqual({
      destinations: [
        { operatingAccount: { accountType: "GOOGLE_ADS", accountId: "1234567890" }, productDestinationId: "987654321" }
      ],
      events: [
        {
          transactionId: "pi_c_1",
          eventTimestamp: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
          eventSource: "WEB",
          conversionValue: 59.9,
          currency: "EUR",
          adIdentifiers: { gclid: STRIPE_GCLID },
          userData: {
            userIdentifiers: [{ emailAddress: sha("camille.dubois@example.fr") }, { phoneNumber: sha("+33612345678") }]
          },
          // Stripe's consent.promotions opt_in is the order's consent signal.
          consent: { adUserData: "CONSENT_GRANTED", adPersonalization: "CONSENT_GRANTED" }
        }
      ],
      encoding: "HEX"
    })
  })

  it("a full Stripe refund restates the Google conversion to 0 (Data Manager cannot retract)", async () => {
    const before = dm.requests.length
    const refund = stripeEvent("charge-refunded-full.json", hoursAgo(1), { evt: "evt_c_2", pi: "pi_c_1" })
    expect(await postStripe(refund)).toBe(202)
    const key = "stripe-eu:pi_c_1"
    await until(key, (t) => count(t, "DispatchSucceeded") === 3)
    const plans = (await events(key)).filter((e) => e.type === "DispatchPlanned")
    expect(plans.at(-1)!.data).toMatchObject({
      trigger: "refund",
      targets: [{ targetId: "google-acme", kind: "retraction" }]
    })
    expect(dm.requests.length).toBe(before + 1)
    const restated = JSON.parse(dm.requests.at(-1)!.body) as { events: Array<Record<string, unknown>> }
    expect(restated.events[0]).toMatchObject({ transactionId: "pi_c_1", conversionValue: 0, currency: "EUR" })
    expect(await dataOf(key, "DispatchSucceeded", "google-acme", "retraction")).toMatchObject({
      dedupKey: "pi_c_1",
      alreadyRecorded: false,
      detail: expect.stringContaining("restated to 0")
    })
  })

  it("an order older than Meta's 7 days is dead-lettered at once with the reason; Google still gets it", async () => {
    const requests = graph.requests.length
    expect(await postShopify(shopifyOrder(5678901234701, hoursAgo(8 * 24)), "c-old-1")).toBe(202)
    const key = "shop-de:5678901234701"
    await until(key, (t) => t.includes("DispatchDeadLettered") && t.includes("DispatchSucceeded"))
    expect(await dataOf(key, "DispatchDeadLettered", "meta-acme")).toMatchObject({
      attempts: 1,
      reason: "Expired",
      cause: "window",
      detail: "past the destination's time window",
      message: expect.stringContaining("Meta accepts at most 7 days")
    })
    expect(await dataOf(key, "DispatchSucceeded", "google-acme")).toBeDefined()
    expect(graph.requests.length).toBe(requests)
  })

  it("a click younger than 6 hours waits for Google: TooRecent with nextAttemptAt = placement + 6 h", async () => {
    const placed = hoursAgo(1)
    expect(await postShopify(shopifyOrder(5678901234702, placed), "c-young-1")).toBe(202)
    const key = "shop-de:5678901234702"
    await until(key, (t) => t.includes("DispatchFailed") && t.includes("DispatchSucceeded"))
    const failed = await dataOf(key, "DispatchFailed", "google-acme")
    expect(failed).toMatchObject({ reason: "TooRecent", retryable: true, attempt: 1 })
    const expected = Math.floor(placed.getTime() / 1000) * 1000 + 6 * 3_600_000
    expect(Date.parse(failed!.nextAttemptAt as string)).toBe(expected)
    expect(dm.requests.some((r) => r.body.includes('"5678901234702"'))).toBe(false)
    expect(await dataOf(key, "DispatchSucceeded", "meta-acme")).toBeDefined()
  })

  it("a Google duplicate answer (DUPLICATE_TRANSACTION_ID) ends as delivered, already recorded", async () => {
    dm.script(
      [
        {
          status: 409,
          body: JSON.stringify({
            error: {
              code: 409,
              status: "ALREADY_EXISTS",
              message: "duplicate",
              details: [
                {
                  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                  reason: "DUPLICATE_TRANSACTION_ID",
                  domain: "datamanager.googleapis.com"
                }
              ]
            }
          })
        }
      ],
      { status: 200, body: JSON.stringify({ requestId: "req-1" }) }
    )
    expect(await postShopify(shopifyOrder(5678901234703, hoursAgo(7)), "c-dup-1")).toBe(202)
    const key = "shop-de:5678901234703"
    await until(key, (t) => count(t, "DispatchSucceeded") === 2)
    expect(await dataOf(key, "DispatchSucceeded", "google-acme")).toMatchObject({
      dedupKey: "5678901234703",
      alreadyRecorded: true
    })
    expect(await dataOf(key, "DispatchFailed", "google-acme")).toBeUndefined()
  })

  it("an order with nothing to match is skipped by both channels, with the reason", async () => {
    const before = { graph: graph.requests.length, dm: dm.requests.length }
    const body = stripeEvent(
      "checkout-session-completed.json",
      hoursAgo(7),
      { evt: "evt_c_3", pi: "pi_c_3" },
      {
        customer: null,
        customer_details: null,
        collected_information: null,
        metadata: { gclid: "not a gclid!", utm_source: "google" }
      }
    )
    expect(await postStripe(body)).toBe(202)
    const key = "stripe-eu:pi_c_3"
    await until(key, (t) => count(t, "DispatchSkipped") === 2)
    expect(await dataOf(key, "DispatchSkipped", "meta-acme")).toMatchObject({ reason: "missing_identifiers" })
    expect(await dataOf(key, "DispatchSkipped", "google-acme")).toMatchObject({
      reason: "missing_identifiers",
      detail: expect.stringContaining("gclid dropped")
    })
    expect({ graph: graph.requests.length, dm: dm.requests.length }).toEqual(before)
  })
})
