import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { DispatchInput } from "../../../../src/dispatch/Channel.js"
import { MetaChannel } from "../../../../src/dispatch/channels/meta/MetaChannel.js"
import type { CanonicalOrder } from "../../../../src/events/CanonicalOrder.js"
import type { MetaTarget } from "../../../../src/events/configSchema.js"
import { type Handler, withFakeServer } from "../support/fakeServer.js"
import { makeOrder, NOW } from "../support/orders.js"
import { sha, withEnv } from "../support/run.js"

const TOKEN = "EAAB-secret-token-value"
const target: MetaTarget = {
  id: "meta-acme",
  channel: "meta-capi",
  enabled: true,
  pixelId: "1234567890",
  accessToken: "env:META_TOKEN" as MetaTarget["accessToken"]
}
const ok: Handler = () => ({ status: 200, body: { events_received: 1, messages: [], fbtrace_id: "AbC123" } })

const input = (
  order: CanonicalOrder,
  overrides: Partial<DispatchInput<MetaTarget>> = {}
): DispatchInput<MetaTarget> => ({
  order,
  target,
  kind: "conversion",
  attempt: 1,
  now: NOW,
  ...overrides
})

/** Sends through a fake Graph API and returns the result (or error) with the server's record. */
const run = (handler: Handler, dispatch: DispatchInput<MetaTarget>, env: Record<string, string> = {}) =>
  withFakeServer(handler, (server) =>
    MetaChannel.send(dispatch).pipe(
      Effect.either,
      withEnv({ META_TOKEN: TOKEN, META_GRAPH_URL: server.url, ...env }),
      Effect.map((result) => ({ result, server }))
    )
  )

const UA = makeOrder().userAgent

describe("MetaChannel request", () => {
  it.effect("posts one Purchase for a German order, field by field", () =>
    Effect.gen(function* () {
      const { result, server } = yield* run(ok, input(makeOrder("DE")))
      expect(server.requests).toHaveLength(1)
      const request = server.requests[0]!
      expect(request.method).toBe("POST")
      expect(request.url).toBe(`/v25.0/1234567890/events?access_token=${TOKEN}`)
      expect(request.headers["content-type"]).toBe("application/json")
      expect(server.json(0)).toEqual({
        data: [
          {
            event_name: "Purchase",
            event_time: 1773133530,
            event_id: "shop-de:1001",
            action_source: "website",
            event_source_url: "https://shop.example/products/vitamin-d3?gclid=Cj0KCQjw_example-GCLID_BwE",
            user_data: {
              em: [sha("anna.mueller@example.de")],
              ph: [sha("4915123456789")],
              fn: [sha("anna")],
              ln: [sha("müller")],
              ct: [sha("frankfurtammain")],
              st: [sha("he")],
              zp: [sha("60311")],
              country: [sha("de")],
              external_id: [sha("cust-1001")],
              client_ip_address: "203.0.113.7",
              client_user_agent: UA,
              fbc: "fb.1.1773132072345.IwAR2xYzAbCdEf-MixedCase_123"
            },
            custom_data: {
              value: 49.9,
              currency: "EUR",
              content_type: "product",
              contents: [
                { id: "VIT-D3", quantity: 2, item_price: 19.95 },
                { id: "VIT-C", quantity: 1, item_price: 10 }
              ],
              content_ids: ["VIT-D3", "VIT-C"],
              num_items: 3,
              order_id: "1001"
            }
          }
        ]
      })
      expect(result._tag).toBe("Right")
      if (result._tag === "Right") {
        expect(result.right).toMatchObject({ _tag: "Delivered", dedupKey: "shop-de:1001", alreadyRecorded: false })
        expect(result.right._tag === "Delivered" && result.right.detail).toContain("events_received=1")
      }
    })
  )

  const markets = [
    [
      "FR",
      {
        em: sha("jean-luc.picard@orange.fr"),
        ph: sha("33612345678"),
        fn: sha("jeanluc"),
        ln: sha("picard"),
        ct: sha("paris"),
        zp: sha("75018"),
        country: sha("fr")
      }
    ],
    [
      "GB",
      {
        em: sha("oliver.smith@googlemail.com"),
        ph: sha("447911123456"),
        fn: sha("oliver"),
        ln: sha("obrien"),
        ct: sha("manchester"),
        zp: sha("m11ae"),
        country: sha("gb")
      }
    ],
    [
      "US",
      {
        em: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
        ph: "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
        fn: "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec",
        ln: sha("smith"),
        ct: sha("newyork"),
        st: sha("ny"),
        zp: sha("10001"),
        country: "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"
      }
    ],
    [
      "CA",
      {
        em: sha("emily.tremblay+shop@gmail.com"),
        ph: sha("14165550199"),
        fn: sha("émilie"),
        ln: sha("tremblay"),
        ct: sha("montréal"),
        st: sha("qc"),
        zp: sha("h2x1y4"),
        country: sha("ca")
      }
    ],
    [
      "SE",
      {
        em: sha("lars.nilsson@telia.se"),
        ph: sha("46701234567"),
        fn: sha("lars"),
        ln: sha("nilsson"),
        ct: sha("göteborg"),
        zp: sha("41101"),
        country: sha("se")
      }
    ]
  ] as const

  for (const [market, hashed] of markets) {
    it.effect(`hashes a ${market} customer per Meta's rules`, () =>
      Effect.gen(function* () {
        const { server } = yield* run(ok, input(makeOrder(market)))
        const event = (server.json(0) as { data: Array<Record<string, Record<string, unknown>>> }).data[0]!
        const expected = Object.fromEntries(Object.entries(hashed).map(([k, v]) => [k, [v]]))
        expect(event.user_data).toEqual({
          ...expected,
          client_ip_address: "203.0.113.7",
          client_user_agent: UA,
          fbc: "fb.1.1773132072345.IwAR2xYzAbCdEf-MixedCase_123"
        })
        expect(event.custom_data?.currency).toBe(makeOrder(market).value.currency)
      })
    )
  }

  it.effect("passes the _fbc cookie and fbp through untouched", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", {
        tracking: {
          ...makeOrder().tracking,
          fbc: "fb.2.1700000000000.CookieFbclid.Ab",
          fbp: "fb.1.1596403881668.1116446470"
        }
      })
      const { server } = yield* run(ok, input(order))
      const userData = (server.json(0) as { data: Array<{ user_data: Record<string, unknown> }> }).data[0]!.user_data
      expect(userData.fbc).toBe("fb.2.1700000000000.CookieFbclid.Ab")
      expect(userData.fbp).toBe("fb.1.1596403881668.1116446470")
    })
  )

  it.effect("synthesizes fbc from the order time when the fbclid capture time is unknown", () =>
    Effect.gen(function* () {
      const { fbclidCapturedAt: _, ...tracking } = makeOrder().tracking
      const { server } = yield* run(ok, input(makeOrder("DE", { tracking })))
      const userData = (server.json(0) as { data: Array<{ user_data: Record<string, unknown> }> }).data[0]!.user_data
      expect(userData.fbc).toBe("fb.1.1773133200000.IwAR2xYzAbCdEf-MixedCase_123")
    })
  )

  it.effect(
    "sends test_event_code, LDU options, a pinned version, and tolerates a trailing slash in META_GRAPH_URL",
    () =>
      Effect.gen(function* () {
        const pinned: MetaTarget = {
          ...target,
          apiVersion: "v24.0",
          testEventCode: "env:META_TEST" as MetaTarget["accessToken"],
          dataProcessingOptions: ["LDU"]
        }
        const { result, server } = yield* withFakeServer(ok, (s) =>
          MetaChannel.send(input(makeOrder("US"), { target: pinned })).pipe(
            Effect.either,
            withEnv({ META_TOKEN: TOKEN, META_TEST: "TEST12345", META_GRAPH_URL: `${s.url}/` }),
            Effect.map((result) => ({ result, server: s }))
          )
        )
        expect(server.requests[0]!.url).toBe(`/v24.0/1234567890/events?access_token=${TOKEN}`)
        const body = server.json(0) as { test_event_code: string; data: Array<Record<string, unknown>> }
        expect(body.test_event_code).toBe("TEST12345")
        expect(body.data[0]).toMatchObject({
          data_processing_options: ["LDU"],
          data_processing_options_country: 0,
          data_processing_options_state: 0
        })
        expect(result._tag === "Right" && result.right._tag === "Delivered" && result.right.detail).toContain(
          "test_event_code"
        )
      })
  )

  it.effect("sends live events, and says so, when the test code's variable is unset", () =>
    Effect.gen(function* () {
      const withTest: MetaTarget = { ...target, testEventCode: "env:META_TEST" as MetaTarget["accessToken"] }
      const { result, server } = yield* run(ok, input(makeOrder("DE"), { target: withTest }))
      expect(server.json(0)).not.toHaveProperty("test_event_code")
      expect(result._tag === "Right" && result.right._tag === "Delivered" && result.right.detail).toContain("sent live")
    })
  )

  it.effect("records the exchange with the token redacted and IP / user agent only as digests", () =>
    Effect.gen(function* () {
      const { result } = yield* run(ok, input(makeOrder("DE")))
      expect(result._tag).toBe("Right")
      if (result._tag !== "Right") return
      const exchange = result.right.exchanges[0]!
      expect(exchange.request.url).toContain("access_token=%5Bredacted%5D")
      expect(JSON.stringify(exchange)).not.toContain(TOKEN)
      expect(exchange.request.body).not.toContain("203.0.113.7")
      expect(exchange.request.body).toContain(`"client_ip_address":"sha256:${sha("203.0.113.7")}"`)
      expect(exchange.request.body).toContain(`"client_user_agent":"sha256:${sha(UA!)}"`)
      expect(exchange.request.body).toContain(sha("anna.mueller@example.de"))
      expect(exchange.response?.status).toBe(200)
    })
  )
})
