// event_source_url (required for website events), the fbc / fbp cookie check, and the Meta target's
// config fields that shape them.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import type { ChannelResult, DispatchInput } from "../../../../src/dispatch/Channel.js"
import { MetaChannel } from "../../../../src/dispatch/channels/meta/MetaChannel.js"
import type { CanonicalOrder, Tracking } from "../../../../src/events/CanonicalOrder.js"
import { MetaTarget } from "../../../../src/events/configSchema.js"
import { type Handler, withFakeServer } from "../support/fakeServer.js"
import { makeOrder, NOW } from "../support/orders.js"
import { withEnv } from "../support/run.js"

const target: MetaTarget = {
  id: "meta-acme",
  channel: "meta-capi",
  enabled: true,
  pixelId: "1234567890",
  accessToken: "env:META_TOKEN" as MetaTarget["accessToken"]
}
const ok: Handler = () => ({ status: 200, body: { events_received: 1, messages: [], fbtrace_id: "AbC123" } })

const send = (order: CanonicalOrder, t: MetaTarget = target) =>
  withFakeServer(ok, (server) =>
    MetaChannel.send({
      order,
      target: t,
      kind: "conversion",
      attempt: 1,
      now: NOW
    } satisfies DispatchInput<MetaTarget>).pipe(
      withEnv({ META_TOKEN: "EAAB-token", META_GRAPH_URL: server.url }),
      Effect.map((result) => ({
        result,
        event: (server.json(0) as { data: Array<Record<string, unknown>> }).data[0]!
      }))
    )
  )

const withTracking = (tracking: Partial<Tracking>) =>
  makeOrder("DE", { tracking: { ...makeOrder().tracking, ...tracking } })

const detail = (result: ChannelResult) => (result._tag === "Delivered" ? (result.detail ?? "") : "")

describe("Meta event_source_url", () => {
  it.effect("carries no personal data: only click ids, utm_* and configured click-id parameters leave", () =>
    Effect.gen(function* () {
      const landingUrl =
        "https://shop.example/p?email=jane%40example.com&phone=%2B4915123456789&gclid=G1&utm_source=nl&e2=jane%2540example.com#t=1"
      const { event } = yield* send(withTracking({ landingUrl }))
      expect(event.event_source_url).toBe("https://shop.example/p?gclid=G1&utm_source=nl")
      expect(JSON.stringify(event)).not.toMatch(/jane|4915123456789/)
    })
  )

  it.effect("an email in the landing path cuts the path", () =>
    Effect.gen(function* () {
      const { event } = yield* send(withTracking({ landingUrl: "https://shop.example/optin/jane@example.com?gclid=G" }))
      expect(event.event_source_url).toBe("https://shop.example/?gclid=G")
    })
  )

  it.effect("a relative landing URL (Shopify's landing_site) falls back to the target's eventSourceUrl", () =>
    Effect.gen(function* () {
      const order = withTracking({ landingUrl: "/products/vitamin-d3?fbclid=IwAR2xYz" })
      const { event, result } = yield* send(order, { ...target, eventSourceUrl: "https://shop.example/" })
      expect(event.event_source_url).toBe("https://shop.example/")
      expect(detail(result)).not.toContain("event_source_url")
    })
  )

  it.effect("an absolute landing URL wins over eventSourceUrl", () =>
    Effect.gen(function* () {
      const { event } = yield* send(makeOrder("DE"), { ...target, eventSourceUrl: "https://shop.example/" })
      expect(event.event_source_url).toBe("https://shop.example/products/vitamin-d3?gclid=Cj0KCQjw_example-GCLID_BwE")
    })
  )

  it.effect("no landing URL at all: eventSourceUrl", () =>
    Effect.gen(function* () {
      const { landingUrl: _, ...tracking } = makeOrder().tracking
      const { event } = yield* send(makeOrder("DE", { tracking }), {
        ...target,
        eventSourceUrl: "https://shop.example"
      })
      expect(event.event_source_url).toBe("https://shop.example/")
    })
  )

  it.effect("a relative landing URL and no eventSourceUrl: sent without it, and the detail says why", () =>
    Effect.gen(function* () {
      const { event, result } = yield* send(withTracking({ landingUrl: "/products/vitamin-d3" }))
      expect(event).not.toHaveProperty("event_source_url")
      expect(detail(result)).toContain("no event_source_url")
    })
  )

  it.effect("no user agent (a billing platform's order): sent without it, and the detail says so", () =>
    Effect.gen(function* () {
      const { userAgent: _ua, ...order } = makeOrder("DE")
      const { event, result } = yield* send(order)
      expect(event.user_data).not.toHaveProperty("client_user_agent")
      expect(detail(result)).toContain("no client_user_agent")
      const withAgent = yield* send(makeOrder("DE"))
      expect(detail(withAgent.result)).not.toContain("client_user_agent")
    })
  )

  it.effect("a non-http landing URL is not a source URL", () =>
    Effect.gen(function* () {
      const { event } = yield* send(withTracking({ landingUrl: "javascript:alert(1)" }), {
        ...target,
        eventSourceUrl: "https://shop.example/"
      })
      expect(event.event_source_url).toBe("https://shop.example/")
    })
  )
})

describe("Meta fbc / fbp cookies", () => {
  it.effect("a malformed _fbc cookie is dropped (with a note) and the fbclid is used instead", () =>
    Effect.gen(function* () {
      const { event, result } = yield* send(withTracking({ fbc: "fb.1.%31%37.IwAR" + " x" }))
      const userData = event.user_data as Record<string, unknown>
      expect(userData.fbc).toBe("fb.1.1773132072345.IwAR2xYzAbCdEf-MixedCase_123")
      expect(detail(result)).toContain("fbc cookie dropped")
    })
  )

  it.effect("a bare fbclid in the fbc field and no fbclid: no fbc is sent", () =>
    Effect.gen(function* () {
      const { fbclid: _, ...tracking } = makeOrder().tracking
      const { event, result } = yield* send(makeOrder("DE", { tracking: { ...tracking, fbc: "IwAR2xYzAbCdEf" } }))
      expect(event.user_data as Record<string, unknown>).not.toHaveProperty("fbc")
      expect(detail(result)).toContain("fbc cookie dropped")
    })
  )

  it.effect("a malformed fbp is dropped; well-formed 4- and 5-segment cookies pass untouched", () =>
    Effect.gen(function* () {
      const bad = yield* send(withTracking({ fbp: "fb.1.abc.123" }))
      expect(bad.event.user_data as Record<string, unknown>).not.toHaveProperty("fbp")
      expect(detail(bad.result)).toContain("fbp cookie dropped")
      const good = yield* send(
        withTracking({ fbc: "fb.2.1700000000000.CookieFbclid.Ab", fbp: "fb.1.1596403881668.1116446470" })
      )
      expect(good.event.user_data).toMatchObject({
        fbc: "fb.2.1700000000000.CookieFbclid.Ab",
        fbp: "fb.1.1596403881668.1116446470"
      })
    })
  )
})

describe("Meta target config", () => {
  const decode = (extra: Record<string, unknown>) =>
    Schema.decodeUnknownEither(MetaTarget)({
      id: "meta-acme",
      channel: "meta-capi",
      pixelId: "1234567890",
      accessToken: "env:META_TOKEN",
      ...extra
    })

  it('dataProcessingOptions is ["LDU"] or [], nothing else', () => {
    expect(Either.isRight(decode({ dataProcessingOptions: ["LDU"] }))).toBe(true)
    expect(Either.isRight(decode({ dataProcessingOptions: [] }))).toBe(true)
    for (const bad of [["ldu"], ["LDU", "LDU"], ["GDPR"], "LDU"]) {
      expect(Either.isLeft(decode({ dataProcessingOptions: bad }))).toBe(true)
    }
  })

  it("eventSourceUrl must be an absolute http(s) URL", () => {
    expect(Either.isRight(decode({ eventSourceUrl: "https://shop.example" }))).toBe(true)
    for (const bad of ["/checkout", "shop.example", "ftp://shop.example"]) {
      expect(Either.isLeft(decode({ eventSourceUrl: bad }))).toBe(true)
    }
  })

  it.effect("dataProcessingOptions [] is sent as an explicit empty list without country/state", () =>
    Effect.gen(function* () {
      const { event } = yield* send(makeOrder("US"), { ...target, dataProcessingOptions: [] })
      expect(event.data_processing_options).toEqual([])
      expect(event).not.toHaveProperty("data_processing_options_country")
    })
  )
})
