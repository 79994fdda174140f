import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { DispatchInput, ItemOutcome } from "../../../../src/dispatch/Channel.js"
import { MetaChannel } from "../../../../src/dispatch/channels/meta/MetaChannel.js"
import type { MetaTarget } from "../../../../src/events/configSchema.js"
import { type Handler, type Received, withFakeServer } from "../support/fakeServer.js"
import { makeOrder, NOW } from "../support/orders.js"
import { withEnv } from "../support/run.js"

const TOKEN = "EAAB-secret-token-value"
const target: MetaTarget = {
  id: "meta-acme",
  channel: "meta-capi",
  enabled: true,
  pixelId: "1234567890",
  accessToken: "env:META_TOKEN" as MetaTarget["accessToken"]
}

const inputs = (n: number, overrides: Partial<DispatchInput<MetaTarget>> = {}): Array<DispatchInput<MetaTarget>> =>
  Array.from({ length: n }, (_, i) => ({
    order: makeOrder("DE", { orderKey: `shop-de:${i + 1}`, platformOrderId: String(i + 1) }),
    target,
    kind: "conversion",
    attempt: 1,
    now: NOW,
    ...overrides
  }))

const byKey = (key: string | undefined) => Number(key?.split(":")[1])

const eventIds = (request: Received): Array<string> =>
  (JSON.parse(request.body) as { data: Array<{ event_id: string }> }).data.map((e) => e.event_id)

/** Accepts every event, unless it carries `bad`: then refuses the request as Meta does (code 100). */
const refusing =
  (bad: string): Handler =>
  (request) =>
    eventIds(request).includes(bad)
      ? {
          status: 400,
          body: { error: { message: "Invalid parameter", type: "OAuthException", code: 100, fbtrace_id: "T" } }
        }
      : { status: 200, body: { events_received: eventIds(request).length, messages: [], fbtrace_id: "AbC" } }

const run = (handler: Handler, batch: ReadonlyArray<DispatchInput<MetaTarget>>) =>
  withFakeServer(handler, (server) =>
    MetaChannel.sendBatch!(batch).pipe(
      withEnv({ META_TOKEN: TOKEN, META_GRAPH_URL: server.url }),
      Effect.map((outcomes) => ({ outcomes, server }))
    )
  )

const delivered = (outcomes: ReadonlyArray<ItemOutcome>) => outcomes.filter(Either.isRight).map((o) => o.right)

describe("MetaChannel.sendBatch", () => {
  it.effect(
    "1,001 events go out as requests of 1,000 and 1, each event recorded alone",
    () =>
      Effect.gen(function* () {
        const batch = inputs(1001)
        const { outcomes, server } = yield* run(refusing("none"), batch)
        // Two requests are in flight at once: compare them in the order of their events.
        const requests = server.requests.map(eventIds).sort((a, b) => byKey(a[0]) - byKey(b[0]))
        expect(requests.map((ids) => ids.length)).toEqual([1000, 1])
        // Every event exactly once, in order within each request.
        expect(requests.flat()).toEqual(batch.map((b) => b.order.orderKey))
        expect(server.requests.every((r) => r.url === `/v25.0/1234567890/events?access_token=${TOKEN}`)).toBe(true)
        expect(outcomes).toHaveLength(1001)
        const results = delivered(outcomes)
        expect(results).toHaveLength(1001)
        results.forEach((result, i) => {
          if (result._tag !== "Delivered") throw new Error("expected Delivered")
          expect(result.dedupKey).toBe(`shop-de:${i + 1}`)
          expect(result.detail).toContain(`events_received=${i < 1000 ? 1000 : 1}`)
          // One exchange, with this event only in its recorded body, the token redacted.
          expect(result.exchanges).toHaveLength(1)
          const recorded = JSON.parse(result.exchanges[0]?.request.body ?? "{}") as {
            data: Array<{ event_id: string }>
          }
          expect(recorded.data.map((e) => e.event_id)).toEqual([`shop-de:${i + 1}`])
          expect(JSON.stringify(result.exchanges)).not.toContain(TOKEN)
          expect(JSON.stringify(result.exchanges)).not.toContain("203.0.113.7")
        })
      }),
    // Thousands of events built, sent and checked: slow on a loaded 2-core machine.
    120_000
  )

  it.effect("a request refused for one event is split in halves until that event stands alone", () =>
    Effect.gen(function* () {
      const batch = inputs(8)
      const { outcomes, server } = yield* run(refusing("shop-de:6"), batch)
      // 8 refused -> [1-4] ok, [5-8] refused -> [5,6] refused, [7,8] ok -> [5] ok, [6] refused.
      // Both halves of a split go out at once: the requests as a set, largest first.
      const sent = server.requests.map(eventIds).sort((a, b) => b.length - a.length || byKey(a[0]) - byKey(b[0]))
      expect(sent).toEqual([
        ["shop-de:1", "shop-de:2", "shop-de:3", "shop-de:4", "shop-de:5", "shop-de:6", "shop-de:7", "shop-de:8"],
        ["shop-de:1", "shop-de:2", "shop-de:3", "shop-de:4"],
        ["shop-de:5", "shop-de:6", "shop-de:7", "shop-de:8"],
        ["shop-de:5", "shop-de:6"],
        ["shop-de:7", "shop-de:8"],
        ["shop-de:5"],
        ["shop-de:6"]
      ])
      expect(outcomes.map((o) => (Either.isRight(o) ? o.right._tag : o.left.reason))).toEqual([
        "Delivered",
        "Delivered",
        "Delivered",
        "Delivered",
        "Delivered",
        "InvalidPayload",
        "Delivered",
        "Delivered"
      ])
      const bad = outcomes[5]
      if (bad === undefined || Either.isRight(bad)) throw new Error("expected the refused event's error")
      expect(bad.left.retryable).toBe(false)
      expect(bad.left.status).toBe(400)
      // Every request it was part of, each recorded with its own event only.
      expect(bad.left.exchanges.map((x) => x.response?.status)).toEqual([400, 400, 400, 400])
      for (const x of bad.left.exchanges) {
        expect((JSON.parse(x.request.body ?? "{}") as { data: Array<unknown> }).data).toHaveLength(1)
      }
      // An event delivered in the second round records the refused request and the accepted one.
      const first = outcomes[0]
      if (first === undefined || Either.isLeft(first)) throw new Error("expected Delivered")
      expect(first.right.exchanges.map((x) => x.response?.status)).toEqual([400, 200])
    })
  )

  it.effect("a refusal that concerns every event (rate limit, expired token) is not split", () =>
    Effect.gen(function* () {
      for (const reply of [
        {
          status: 429,
          body: { error: { message: "Too many calls", code: 17 } },
          reason: "RateLimited",
          retryable: true
        },
        {
          status: 400,
          body: { error: { message: "Session expired", code: 190 } },
          reason: "Unauthorized",
          retryable: false
        },
        { status: 503, body: "upstream unavailable", reason: "ServerError", retryable: true }
      ]) {
        const { outcomes, server } = yield* run(() => ({ status: reply.status, body: reply.body }), inputs(10))
        expect(server.requests).toHaveLength(1)
        for (const outcome of outcomes) {
          if (Either.isRight(outcome)) throw new Error("expected an error")
          expect([outcome.left.reason, outcome.left.retryable]).toEqual([reply.reason, reply.retryable])
        }
      }
    })
  )

  it.effect("fewer events_received than sent isolates the events Meta did not take", () =>
    Effect.gen(function* () {
      const handler: Handler = (request) => {
        const ids = eventIds(request)
        return { status: 200, body: { events_received: ids.filter((id) => id !== "shop-de:3").length, messages: [] } }
      }
      const { outcomes } = yield* run(handler, inputs(4))
      expect(outcomes.map((o) => (Either.isRight(o) ? o.right._tag : `${o.left.reason}: ${o.left.detail}`))).toEqual([
        "Delivered",
        "Delivered",
        "Rejected: Meta received no events: []",
        "Delivered"
      ])
    })
  )

  it.effect("skips and expired events are decided without a request; the rest still go out together", () =>
    Effect.gen(function* () {
      const batch = [
        ...inputs(2),
        { ...inputs(1)[0]!, kind: "status_change" as const },
        { ...inputs(1)[0]!, order: makeOrder("DE", { orderKey: "shop-de:old", paidAt: "2026-02-01T00:00:00Z" }) }
      ]
      const { outcomes, server } = yield* run(refusing("none"), batch)
      expect(server.requests.map(eventIds)).toEqual([["shop-de:1", "shop-de:2"]])
      expect(outcomes.map((o) => (Either.isRight(o) ? o.right._tag : o.left.reason))).toEqual([
        "Delivered",
        "Delivered",
        "Skipped",
        "Expired"
      ])
    })
  )

  it.effect("a missing token fails every item of its target with Configuration, without a request", () =>
    Effect.gen(function* () {
      const { outcomes, server } = yield* withFakeServer(refusing("none"), (server) =>
        MetaChannel.sendBatch!(inputs(3)).pipe(
          withEnv({ META_GRAPH_URL: server.url }),
          Effect.map((outcomes) => ({ outcomes, server }))
        )
      )
      expect(server.requests).toHaveLength(0)
      expect(outcomes.map((o) => (Either.isLeft(o) ? o.left.reason : "sent"))).toEqual([
        "Configuration",
        "Configuration",
        "Configuration"
      ])
    })
  )
})
