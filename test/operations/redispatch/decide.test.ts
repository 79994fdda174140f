// Given an order's stream and the configuration, when an operator re-dispatches, then per (target,
// kind) what would be sent (the exact postback request, the dedup key Meta / Google keep) or why not.

import { createHash } from "node:crypto"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { emptySnapshot } from "../../../src/config/state.js"
import { Target } from "../../../src/events/configSchema.js"
import type { AppEvent } from "../../../src/events/Events.js"
import { type DispatchFilter, evaluateOrder, type StreamEvent } from "../../../src/operations/redispatch/decide.js"
import { makeOrder, NOW } from "../../dispatch/channels/support/orders.js"

const ORDER_KEY = "shop-de:1001"
const order = makeOrder("DE", {
  partner: "awin",
  tracking: { ...makeOrder().tracking, clickIds: { awc: "1001_1740000000_abc" } }
})

const targets = [
  {
    id: "awin",
    channel: "postback",
    url: "https://www.awin1.com/sread.php?tt=ss&merchant=1001&amount={amount}&cr={currency}&ref={order_id}&cks={click_id}",
    headers: { "X-Api-Key": "env:AWIN_KEY" }
  },
  { id: "meta-acme", channel: "meta-capi", pixelId: "1234567890", accessToken: "env:META_TOKEN" },
  {
    id: "google-acme",
    channel: "google-ads",
    customerId: "1234567890",
    conversionActionId: "987654321",
    credentials: "env:GOOGLE_CREDENTIALS"
  }
].map((t) => Schema.decodeUnknownSync(Target)(t))
const config = { ...emptySnapshot, targets: new Map(targets.map((t) => [t.id, t])) }

const normalized: ReadonlyArray<AppEvent> = [
  { _tag: "OrderNormalized", webhookId: "wh-1", order: { ...order, status: "pending" }, parserVersion: 1 },
  { _tag: "PaymentUpdated", webhookId: "wh-1", orderKey: ORDER_KEY, from: "pending", to: "paid", paidAt: order.paidAt },
  {
    _tag: "DispatchPlanned",
    orderKey: ORDER_KEY,
    targets: targets.map((t) => ({ targetId: t.id, channel: t.channel, ruleId: `${t.id}-rule`, kind: "conversion" })),
    decisions: [],
    trigger: "paid"
  }
]

const ref = (targetId: string, attempt: number) => ({
  orderKey: ORDER_KEY,
  targetId,
  kind: "conversion" as const,
  attempt
})
const attempted = (targetId: string, attempt = 1): AppEvent => ({
  _tag: "DispatchAttempted",
  ...ref(targetId, attempt),
  channel: "postback",
  exchanges: [],
  durationMs: 5,
  trigger: "scheduled"
})
const delivered = (targetId: string, attempt = 1): ReadonlyArray<AppEvent> => [
  attempted(targetId, attempt),
  { _tag: "DispatchSucceeded", ...ref(targetId, attempt), dedupKey: "k", alreadyRecorded: false }
]
const deadLettered = (targetId: string): ReadonlyArray<AppEvent> => [
  attempted(targetId),
  { _tag: "DispatchFailed", ...ref(targetId, 1), reason: "ServerError", retryable: true, message: "HTTP 500" },
  {
    _tag: "DispatchDeadLettered",
    orderKey: ORDER_KEY,
    targetId,
    kind: "conversion",
    attempts: 1,
    reason: "x",
    message: "y"
  }
]
const requested = (targetId: string, actor = "cli:alice", force = false): AppEvent => ({
  _tag: "DispatchRequested",
  orderKey: ORDER_KEY,
  targetId,
  kind: "conversion",
  reason: "outage",
  actor,
  force
})

const stream = (...events: ReadonlyArray<AppEvent>): ReadonlyArray<StreamEvent> =>
  [...normalized, ...events].map((event, i) => ({
    event,
    version: i + 1,
    recordedAt: new Date("2026-03-10T10:00:00Z")
  }))

const when = (
  events: ReadonlyArray<StreamEvent>,
  filter: Partial<DispatchFilter> = {},
  options: { force?: boolean; baseVersion?: number; now?: Date; config?: typeof config } = {}
) =>
  evaluateOrder({
    orderKey: ORDER_KEY,
    events,
    filter: { kind: "conversion", ...filter },
    force: options.force ?? false,
    config: options.config ?? config,
    now: options.now ?? NOW,
    baseVersion: options.baseVersion
  }).map((e) => e.item)

const only = (items: ReturnType<typeof when>, targetId: string) => items.find((i) => i.targetId === targetId)

describe("re-dispatch decisions", () => {
  it("lists a dead-lettered postback with the exact request it would send, secrets redacted", () => {
    const [item] = when(stream(...deadLettered("awin")), { state: "dead_lettered" })
    expect(item).toEqual({
      orderKey: ORDER_KEY,
      targetId: "awin",
      kind: "conversion",
      channel: "postback",
      state: "dead_lettered",
      attempts: 1,
      action: "would_send",
      summary:
        "GET https://www.awin1.com/sread.php?tt=ss&merchant=1001&amount=49.90&cr=EUR&ref=1001&cks=1001_1740000000_abc",
      request: {
        method: "GET",
        url: "https://www.awin1.com/sread.php?tt=ss&merchant=1001&amount=49.90&cr=EUR&ref=1001&cks=1001_1740000000_abc",
        headers: { "X-Api-Key": "[redacted]" }
      }
    })
  })

  it("selects by state, target and kind on the stream", () => {
    const events = stream(...deadLettered("awin"), ...delivered("meta-acme"))
    expect(when(events).map((i) => i.targetId)).toEqual(["awin", "meta-acme", "google-acme"])
    expect(when(events, { state: "pending" }).map((i) => i.targetId)).toEqual(["google-acme"])
    expect(when(events, { state: "succeeded" }).map((i) => i.targetId)).toEqual(["meta-acme"])
    expect(when(events, { target: "awin", state: "succeeded" })).toEqual([])
    expect(when(events, { kind: "retraction" })).toEqual([])
  })

  it("skips a delivered dispatch unless forced", () => {
    const events = stream(...delivered("awin"), ...delivered("meta-acme"), ...delivered("google-acme"))
    expect(when(events).map((i) => [i.action, i.reason])).toEqual([
      ["skipped", "already delivered (use --force)"],
      ["skipped", "already delivered (use --force)"],
      ["skipped", "already delivered (use --force)"]
    ])
  })

  it("forced, keeps the channel's dedup key: Meta event_id = order key, Google transaction id = platform order id", () => {
    const items = when(
      stream(...delivered("awin"), ...delivered("meta-acme"), ...delivered("google-acme")),
      {},
      {
        force: true
      }
    )
    expect(items.every((i) => i.action === "would_send")).toBe(true)
    expect(only(items, "meta-acme")).toMatchObject({
      dedupKey: ORDER_KEY,
      summary: expect.stringContaining("pixel 1234567890")
    })
    expect(only(items, "google-acme")).toMatchObject({
      dedupKey: "1001",
      summary: expect.stringContaining("Google deduplicates on transaction id 1001")
    })
    expect(only(items, "awin")?.summary).toContain("postbacks carry no deduplication key")
  })

  it("forced, shows the exact Meta and Google requests: hashed user data, IP and user agent as digests, secrets redacted", () => {
    const gclidOrder = {
      ...order,
      tracking: { ...order.tracking, gclid: "Cj0KCQjw_redispatch", clickIds: { awc: "1001_1740000000_abc" } }
    }
    const events = stream(...delivered("meta-acme"), ...delivered("google-acme")).map((e) =>
      e.event._tag === "OrderNormalized"
        ? { ...e, event: { ...e.event, order: { ...gclidOrder, status: "pending" as const } } }
        : e
    )
    const items = when(events, {}, { force: true })
    const sha = (s: string) => createHash("sha256").update(s).digest("hex")

    const meta = only(items, "meta-acme")!.request!
    expect(meta).toMatchObject({
      method: "POST",
      url: "https://graph.facebook.com/v25.0/1234567890/events?access_token=[redacted]",
      headers: { "content-type": "application/json" }
    })
    const metaBody = JSON.parse(meta.body!) as {
      data: Array<{
        event_name: string
        event_id: string
        user_data: Record<string, unknown>
        custom_data: Record<string, unknown>
      }>
    }
    expect(metaBody.data).toHaveLength(1)
    expect(metaBody.data[0]).toMatchObject({
      event_name: "Purchase",
      event_id: ORDER_KEY,
      user_data: {
        em: [sha("anna.mueller@example.de")],
        client_ip_address: `sha256:${sha("203.0.113.7")}`,
        client_user_agent: `sha256:${sha(order.userAgent!)}`
      },
      custom_data: { value: 49.9, currency: "EUR" }
    })
    expect(meta.body).not.toMatch(/Mueller|203\.0\.113\.7|Mozilla/)

    const google = only(items, "google-acme")!.request!
    expect(google).toMatchObject({
      method: "POST",
      url: "https://datamanager.googleapis.com/v1/events:ingest",
      headers: { authorization: "Bearer [redacted]", "content-type": "application/json" }
    })
    const googleBody = JSON.parse(google.body!) as Record<string, unknown>
    expect(googleBody).toMatchObject({
      destinations: [
        { operatingAccount: { accountType: "GOOGLE_ADS", accountId: "1234567890" }, productDestinationId: "987654321" }
      ],
      events: [
        {
          transactionId: "1001",
          eventSource: "WEB",
          conversionValue: 49.9,
          currency: "EUR",
          adIdentifiers: { gclid: "Cj0KCQjw_redispatch" },
          userData: { userIdentifiers: expect.arrayContaining([{ emailAddress: sha("anna.mueller@example.de") }]) }
        }
      ],
      encoding: "HEX"
    })
    expect(google.body).not.toMatch(/Mueller/)

    // The URLs the channels would call here (META_GRAPH_URL / GOOGLE_DATA_MANAGER_URL).
    const local = evaluateOrder({
      orderKey: ORDER_KEY,
      events,
      filter: { kind: "conversion", target: "meta-acme" },
      force: true,
      config,
      now: NOW,
      endpoints: { metaGraphUrl: "http://127.0.0.1:3000/demo/meta/", googleDataManagerUrl: "http://x" }
    })
    expect(local[0]?.item.request?.url).toBe(
      "http://127.0.0.1:3000/demo/meta/v25.0/1234567890/events?access_token=[redacted]"
    )
  })

  it("forced, shows the exact Google Ads API request of an ads-api target once the library is given", async () => {
    const adsLib = await import("google-ads-api")
    const adsApi = Schema.decodeUnknownSync(Target)({
      id: "google-acme",
      channel: "google-ads",
      api: "ads-api",
      customerId: "1234567890",
      conversionActionId: "987654321",
      credentials: "env:GOOGLE_CREDENTIALS",
      developerToken: "env:GOOGLE_DEV_TOKEN",
      timeZone: "Europe/Berlin"
    })
    const events = stream(...delivered("google-acme")).map((e) =>
      e.event._tag === "OrderNormalized"
        ? {
            ...e,
            event: {
              ...e.event,
              order: { ...order, status: "pending" as const, tracking: { ...order.tracking, gclid: "Cj0KCQjw_ads" } }
            }
          }
        : e
    )
    const adsConfig = { ...config, targets: new Map([["google-acme", adsApi]]) }
    const [item] = evaluateOrder({
      orderKey: ORDER_KEY,
      events,
      filter: { kind: "conversion", target: "google-acme" },
      force: true,
      config: adsConfig,
      now: NOW,
      adsLib
    }).map((e) => e.item)
    expect(item).toMatchObject({
      action: "would_send",
      dedupKey: "1001",
      request: {
        method: "POST",
        url: "grpc://googleads.googleapis.com/google.ads.googleads.v24.services.ConversionUploadService/UploadClickConversions",
        headers: { "developer-token": "[redacted]" }
      }
    })
    const body = JSON.parse(item!.request!.body!) as { conversions: Array<Record<string, unknown>> }
    expect(body.conversions[0]).toMatchObject({ gclid: "Cj0KCQjw_ads", order_id: "1001", currency_code: "EUR" })
    expect(item!.request!.body).not.toMatch(/Mueller/)
  })

  it("never requests twice: a pending request, or one made since the selection", () => {
    const pending = when(stream(...deadLettered("awin"), requested("awin", "token:tok_1")), { target: "awin" })
    expect(pending).toMatchObject([
      { action: "skipped", reason: "already requested by token:tok_1; waiting for the dispatcher" }
    ])
    const base = stream(...deadLettered("awin")).length
    const raced = stream(...deadLettered("awin"), requested("awin", "cli:bob", true), ...delivered("awin", 2))
    expect(when(raced, { only: new Set(["awin|conversion"]) }, { force: true, baseVersion: base })).toMatchObject([
      { action: "skipped", reason: "requested meanwhile by cli:bob; not requested twice" }
    ])
  })

  it("keeps to the keys chosen first, whatever their state has become", () => {
    const events = stream(...deadLettered("awin"), requested("awin"))
    expect(when(events, { state: "dead_lettered" })).toEqual([])
    expect(when(events, { state: "dead_lettered", only: new Set(["awin|conversion"]) })).toHaveLength(1)
  })

  it("skips what the dispatcher or the channel would not send", () => {
    const refunded: AppEvent = {
      _tag: "OrderRefunded",
      webhookId: "wh-2",
      orderKey: ORDER_KEY,
      refundedMinor: 4990,
      currency: "EUR",
      full: true
    }
    expect(when(stream(...deadLettered("awin"), refunded), { target: "awin" })[0]?.reason).toBe(
      "the order was refunded: the dispatcher would not send the conversion"
    )
    const withoutAwin = { ...config, targets: new Map([...config.targets].filter(([id]) => id !== "awin")) }
    expect(when(stream(...deadLettered("awin")), { target: "awin" }, { config: withoutAwin })[0]?.reason).toBe(
      "target awin is no longer configured"
    )
    const late = new Date("2026-03-30T00:00:00Z")
    expect(when(stream(), { target: "meta-acme" }, { now: late })[0]?.reason).toMatch(/Meta accepts at most 7 days/)
  })

  it("skips a postback the order has no click id for", () => {
    const bare = makeOrder("DE", { partner: "awin", tracking: { ...makeOrder().tracking, clickIds: {} } })
    const events = stream().map((e) =>
      e.event._tag === "OrderNormalized"
        ? { ...e, event: { ...e.event, order: { ...bare, status: "pending" as const } } }
        : e
    )
    expect(when(events, { target: "awin" })[0]).toMatchObject({
      action: "skipped",
      reason: expect.stringContaining("{click_id} is required")
    })
  })
})
