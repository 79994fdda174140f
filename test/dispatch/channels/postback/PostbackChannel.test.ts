// The postback adapter against a real loopback server: the exact request that arrives, and how every
// kind of answer is classified.
import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import type { ChannelError, ChannelResult } from "../../../../src/dispatch/Channel.js"
import { PostbackChannel } from "../../../../src/dispatch/channels/postback/index.js"
import { makePostbackChannel } from "../../../../src/dispatch/channels/postback/PostbackChannel.js"
import type { CanonicalOrder } from "../../../../src/events/CanonicalOrder.js"
import type { PostbackTarget } from "../../../../src/events/configSchema.js"
import type { DispatchKind } from "../../../../src/events/dispatch.js"
import { withEnv } from "../support/run.js"
import { type FakeServer, NOW, order, startFakeServer, target, tracking } from "./fixtures.js"

let server: FakeServer
beforeAll(async () => {
  server = await startFakeServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
  server.reply = { status: 200, body: "OK" }
})

const send = (
  t: Partial<PostbackTarget>,
  o: CanonicalOrder = order(),
  kind: DispatchKind = "conversion",
  env: Record<string, string> = {}
): Effect.Effect<Either.Either<ChannelResult, ChannelError>> =>
  PostbackChannel.send({ order: o, target: target(t), kind, attempt: 1, now: NOW }).pipe(Effect.either, withEnv(env))

const failure = (result: Either.Either<ChannelResult, ChannelError>): ChannelError => {
  if (Either.isRight(result)) throw new Error(`expected a ChannelError, got ${result.right._tag}`)
  return result.left
}
const delivered = (result: Either.Either<ChannelResult, ChannelError>) => {
  if (Either.isLeft(result)) throw new Error(`expected a delivery, got ${result.left.message}`)
  if (result.right._tag !== "Delivered") throw new Error(`expected a delivery, got ${result.right._tag}`)
  return result.right
}

const tricky = tracking({
  clickIds: { awc: "a b&c=d#e+f/g?h", sub1: "Grüße 🎉" },
  utm: { source: "news&letter", campaign: "50% off = great" },
  coupon: "SAVE 10+5"
})
const emailDigest = createHash("sha256").update("anna.schmidt@example.com").digest("hex")

describe("the request a GET postback sends", () => {
  const cases: ReadonlyArray<readonly [template: string, o: CanonicalOrder, expected: string]> = [
    ["/sread.php?tt=ss&cks={click_id}&ref={order_id}", order(), "/sread.php?tt=ss&cks=1001_1740000000_abc&ref=5001"],
    ["/p?amount={amount}&cr={currency}&minor={amount_minor}", order(), "/p?amount=49.90&cr=EUR&minor=4990"],
    ["/p?cid={click_id}", tricky, "/p?cid=a%20b%26c%3Dd%23e%2Bf%2Fg%3Fh"],
    ["/p?s1={sub1}", tricky, "/p?s1=Gr%C3%BC%C3%9Fe%20%F0%9F%8E%89"],
    ["/p?src={utm_source}&c={utm_campaign}", tricky, "/p?src=news%26letter&c=50%25%20off%20%3D%20great"],
    ["/p?vc={coupon}", tricky, "/p?vc=SAVE%2010%2B5"],
    ["/p?m={utm_medium}&t={utm_term}&x=1", tricky, "/p?m=&t=&x=1"],
    ["/p/{order_key}/done", order(), "/p/shop-de%3A5001/done"],
    ["/p?ts={timestamp}&iso={iso_time}", order(), "/p?ts=1772359530&iso=2026-03-01T10%3A05%3A30.000Z"],
    ["/p?co={company}&p={product}&pa={partner}&mk={market}", order(), "/p?co=acme&p=vitamins&pa=awin&mk=DE"],
    ["/p?st={status}&n={order_number}", order(), "/p?st=paid&n=%231001"],
    ["/p?items={items}&q={quantity}", order(), "/p?items=VIT-100%3A2%3A19.95%7CKIT_1_A%3A1%3A10.00&q=3"],
    ["/p?em={email_sha256}", order(), `/p?em=${emailDigest}`],
    ["/p?jpy={amount}", order({ value: { amountMinor: 4990, currency: "JPY" } }), "/p?jpy=4990"],
    ["/p?s1={sub1}&s2={sub2}&s3={sub3}", order(), "/p?s1=newsletter&s2=hero%20banner&s3="]
  ]

  it.live.each(cases)("%s", ([template, o, expected]) =>
    Effect.gen(function* () {
      const result = delivered(yield* send({ url: `${server.origin}${template}` }, o))
      expect(server.requests).toHaveLength(1)
      expect(server.requests[0]?.url).toBe(expected)
      expect(server.requests[0]?.method).toBe("GET")
      expect(result.dedupKey).toBe("shop-de:5001")
      expect(result.exchanges[0]?.request.url).toBe(`${server.origin}${expected}`)
      expect(result.exchanges[0]?.response?.status).toBe(200)
    })
  )
})

describe("POST bodies and headers", () => {
  it.live("sends a form body with URL-encoded values", () =>
    Effect.gen(function* () {
      yield* send(
        { method: "POST", url: `${server.origin}/conv`, body: "cid={click_id}&amt={amount}&vc={coupon}" },
        tricky
      )
      const received = server.requests[0]
      expect(received?.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(received?.body).toBe("cid=a%20b%26c%3Dd%23e%2Bf%2Fg%3Fh&amt=49.90&vc=SAVE%2010%2B5")
    })
  )

  it.live("sends a JSON body with JSON-escaped values", () =>
    Effect.gen(function* () {
      const o = tracking({ clickIds: { irclickid: 'x"y\\z' }, coupon: "Grüße\n🎉" })
      yield* send(
        {
          method: "POST",
          url: `${server.origin}/Conversions`,
          clickId: "irclickid",
          body: '{"ClickId": "{click_id}", "OrderId": "{order_id}", "Amount": {amount}, "PromoCode": "{coupon}"}'
        },
        o
      )
      const received = server.requests[0]
      expect(received?.headers["content-type"]).toBe("application/json")
      expect(received?.body).toBe(
        '{"ClickId": "x\\"y\\\\z", "OrderId": "5001", "Amount": 49.90, "PromoCode": "Grüße\\n🎉"}'
      )
      expect(JSON.parse(received?.body ?? "")).toEqual({
        ClickId: 'x"y\\z',
        OrderId: "5001",
        Amount: 49.9,
        PromoCode: "Grüße\n🎉"
      })
    })
  )

  it.live("resolves env: secrets for headers and {env:NAME}, and records them redacted", () =>
    Effect.gen(function* () {
      const result = delivered(
        yield* send(
          {
            method: "POST",
            url: `${server.origin}/s2s?token={env:AWIN_TOKEN}&cks={click_id}`,
            body: "ref={order_id}",
            headers: {
              "x-api-key": "env:AWIN_KEY",
              "X-Partner-Auth": "env:AWIN_AUTH",
              "X-Static": "yes",
              "Content-Type": "text/plain"
            }
          },
          order(),
          "conversion",
          { AWIN_KEY: "key-secret-1", AWIN_AUTH: "Bearer auth-secret-2", AWIN_TOKEN: "tok en/3" }
        )
      )
      const received = server.requests[0]
      expect(received?.url).toBe("/s2s?token=tok%20en%2F3&cks=1001_1740000000_abc")
      expect(received?.headers["x-api-key"]).toBe("key-secret-1")
      expect(received?.headers["x-partner-auth"]).toBe("Bearer auth-secret-2")
      expect(received?.headers["content-type"]).toBe("text/plain")
      const recorded = result.exchanges[0]?.request
      expect(recorded?.headers).toEqual({
        "x-api-key": "[redacted]",
        "X-Partner-Auth": "[redacted]",
        "X-Static": "yes",
        "Content-Type": "text/plain",
        "User-Agent": "s2s/0.1.0"
      })
      expect(recorded?.url).toBe(`${server.origin}/s2s?token=[redacted]&cks=1001_1740000000_abc`)
      expect(JSON.stringify(result.exchanges)).not.toMatch(/secret-1|secret-2|tok%20en/)
    })
  )

  it.live("fails with Configuration, before any request, when a secret is not set", () =>
    Effect.gen(function* () {
      const error = failure(yield* send({ url: `${server.origin}/p`, headers: { "x-api-key": "env:NOT_SET" } }))
      expect([error.reason, error.retryable]).toEqual(["Configuration", false])
      expect(error.detail).toContain("NOT_SET")
      expect(server.requests).toHaveLength(0)
    })
  )
})

describe("classifying the answer", () => {
  const url = () => `${server.origin}/p?cid={click_id}`

  it.live("500 is a retryable ServerError", () =>
    Effect.gen(function* () {
      server.reply = { status: 500, body: "boom" }
      const error = failure(yield* send({ url: url() }))
      expect([error.reason, error.retryable, error.status]).toEqual(["ServerError", true, 500])
      expect(error.exchanges[0]?.response?.body).toBe("boom")
    })
  )

  it.live("400 is a permanent rejection, 401 and 403 Unauthorized", () =>
    Effect.gen(function* () {
      server.reply = { status: 400, body: "invalid merchant" }
      const bad = failure(yield* send({ url: url() }))
      expect([bad.reason, bad.retryable, bad.status]).toEqual(["InvalidPayload", false, 400])
      expect(bad.detail).toBe('HTTP 400: "invalid merchant"')
      server.reply = { status: 403 }
      const denied = failure(yield* send({ url: url() }))
      expect([denied.reason, denied.retryable]).toEqual(["Unauthorized", false])
    })
  )

  it.live("429 with Retry-After is RateLimited with the delay", () =>
    Effect.gen(function* () {
      server.reply = { status: 429, headers: { "Retry-After": "30" } }
      const error = failure(yield* send({ url: url() }))
      expect([error.reason, error.retryable, error.retryAfterMs]).toEqual(["RateLimited", true, 30_000])
    })
  )

  it.live("a server that never answers is a retryable Timeout", () =>
    Effect.gen(function* () {
      server.reply = "hang"
      const error = failure(yield* send({ url: url(), timeout: "300ms" }))
      expect([error.reason, error.retryable]).toEqual(["Timeout", true])
      expect(error.detail).toBe("no response within 300 ms")
    })
  )

  it.live("the DNS check and the request share one deadline: a slow lookup leaves the request less time", () =>
    Effect.gen(function* () {
      server.reply = "hang"
      // The lookup takes 700 ms of a 1 s budget: the request gets what is left, not another second.
      const slowResolve = (host: string) =>
        new Promise<ReadonlyArray<{ address: string; family: number }>>((resolve) =>
          setTimeout(() => resolve(host === "partner.test" ? [{ address: "127.0.0.1", family: 4 }] : []), 700)
        )
      const port = new URL(server.origin).port
      const result = yield* makePostbackChannel(slowResolve)
        .send({
          order: order(),
          target: target({ url: `http://partner.test:${port}/p?cid={click_id}`, timeout: "1s" }),
          kind: "conversion",
          attempt: 1,
          now: NOW
        })
        .pipe(Effect.either, withEnv({}))
      const error = failure(result)
      expect([error.reason, error.retryable, error.detail]).toEqual(["Timeout", true, "no response within 1000 ms"])
      expect(server.requests).toHaveLength(1)
      // The request was cut at the shared deadline (~300 ms in), not after a full second of its own.
      expect(error.exchanges[0]?.durationMs).toBeLessThan(700)
    })
  )

  it.live("TUNE's HTTP 200 success=false is a permanent rejection via bodyNotMatches", () =>
    Effect.gen(function* () {
      const tune = { url: url(), success: { status: "2xx", bodyNotMatches: "success=false" } }
      server.reply = { status: 200, body: "success=false; err_msg=Invalid Trans. ID;" }
      const error = failure(yield* send(tune))
      expect([error.reason, error.retryable, error.status]).toEqual(["Rejected", false, 200])
      expect(error.detail).toContain('"success=false"')
      expect(error.detail).toContain("err_msg=Invalid Trans. ID;")
      server.reply = { status: 200, body: "success=true;" }
      expect(delivered(yield* send(tune)).detail).toBe('HTTP 200: "success=true;"')
    })
  )

  it.live("bodyMatches must match for a delivery", () =>
    Effect.gen(function* () {
      server.reply = { status: 200, body: "<html>maintenance</html>" }
      const error = failure(yield* send({ url: url(), success: { bodyMatches: "/^ok$/i" } }))
      expect(error.reason).toBe("Rejected")
      server.reply = { status: 200, body: "OK" }
      delivered(yield* send({ url: url(), success: { bodyMatches: "/^ok$/i" } }))
    })
  )

  it.live("a redirect is not followed: rejected, unless the success rule lists it", () =>
    Effect.gen(function* () {
      server.reply = { status: 302, headers: { Location: "http://169.254.169.254/" } }
      const error = failure(yield* send({ url: url() }))
      expect([error.reason, error.retryable]).toEqual(["Rejected", false])
      expect(server.requests).toHaveLength(1)
      delivered(yield* send({ url: url(), success: { status: "2xx,302" } }))
    })
  )
})

describe("skips", () => {
  it.live("a conversion without a click id is skipped, nothing is sent", () =>
    Effect.gen(function* () {
      const result = yield* send({ url: `${server.origin}/p?cid={click_id}` }, tracking({ clickIds: {} }))
      expect(Either.getOrThrow(result)).toEqual({
        _tag: "Skipped",
        reason: "missing_identifiers",
        detail: "{click_id} is required, the order has no awc",
        exchanges: []
      })
      expect(server.requests).toHaveLength(0)
    })
  )

  it.live("a missing click id is a skip even while a secret is missing", () =>
    Effect.gen(function* () {
      const t = { url: `${server.origin}/p?cid={click_id}`, headers: { "x-api-key": "env:NOT_SET" } }
      const result = Either.getOrThrow(yield* send(t, tracking({ clickIds: {} })))
      expect(result).toMatchObject({ _tag: "Skipped", reason: "missing_identifiers" })
    })
  )

  it.live("a template without {click_id} does not need one", () =>
    Effect.gen(function* () {
      delivered(yield* send({ url: `${server.origin}/p?ref={order_id}` }, tracking({ clickIds: {} })))
    })
  )

  it.live("a status change uses the statusChange template with the remaining amount", () =>
    Effect.gen(function* () {
      const refunded = order({ status: "partially_refunded", refundedMinor: 1000 })
      const t = {
        url: `${server.origin}/p?cid={click_id}`,
        statusChange: {
          method: "POST" as const,
          url: `${server.origin}/status?cid={click_id}`,
          body: "s={status}&a={amount}"
        }
      }
      delivered(yield* send(t, refunded, "status_change"))
      expect(server.requests[0]).toMatchObject({
        method: "POST",
        url: "/status?cid=1001_1740000000_abc",
        body: "s=partially_refunded&a=39.90"
      })
      delivered(yield* send(t, order({ status: "cancelled" }), "status_change"))
      expect(server.requests[1]?.body).toBe("s=cancelled&a=0.00")
    })
  )

  it.live("a status change without a statusChange template, and adjustments, are unsupported", () =>
    Effect.gen(function* () {
      const noTemplate = Either.getOrThrow(
        yield* send({ url: `${server.origin}/p` }, order({ status: "refunded" }), "status_change")
      )
      expect(noTemplate).toMatchObject({ _tag: "Skipped", reason: "unsupported" })
      const retraction = Either.getOrThrow(yield* send({ url: `${server.origin}/p` }, order(), "retraction"))
      expect(retraction).toMatchObject({ _tag: "Skipped", reason: "unsupported" })
      expect(server.requests).toHaveLength(0)
      expect(PostbackChannel.supports).toEqual(["conversion", "status_change"])
    })
  )
})

describe("egress guard", () => {
  const refused = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://0xa9fea9fe/",
    "http://[fe80::1]/p",
    "http://metadata.google.internal/computeMetadata/v1/"
  ]
  it.live.each(refused)("refuses %s always, as Configuration", (url) =>
    Effect.gen(function* () {
      const error = failure(yield* send({ url: `${url}?cid={click_id}` }))
      expect([error.reason, error.retryable]).toEqual(["Configuration", false])
      expect(error.detail).toMatch(/^egress refused: destination .* (link-local|metadata)/)
    })
  )

  it.live("refuses loopback, literal or resolved, when S2S_EGRESS_BLOCK_PRIVATE=true", () =>
    Effect.gen(function* () {
      const env = { S2S_EGRESS_BLOCK_PRIVATE: "true" }
      const literal = failure(yield* send({ url: `${server.origin}/p` }, order(), "conversion", env))
      expect(literal.detail).toBe("egress refused: destination 127.0.0.1 is a loopback address")
      const port = new URL(server.origin).port
      const named = failure(yield* send({ url: `http://localhost:${port}/p` }, order(), "conversion", env))
      expect(named.reason).toBe("Configuration")
      expect(named.detail).toMatch(
        /^egress refused: destination localhost resolves to (127\.0\.0\.1|::1), a loopback address$/
      )
      expect(server.requests).toHaveLength(0)
      delivered(
        yield* send({ url: `http://localhost:${port}/p` }, order(), "conversion", { S2S_EGRESS_BLOCK_PRIVATE: "false" })
      )
      const garbled = { S2S_EGRESS_BLOCK_PRIVATE: "maybe" }
      expect(failure(yield* send({ url: `${server.origin}/p` }, order(), "conversion", garbled)).reason).toBe(
        "Configuration"
      )
    })
  )
})
