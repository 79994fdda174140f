import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { ChannelError, DispatchInput } from "../../../../src/dispatch/Channel.js"
import { MetaChannel } from "../../../../src/dispatch/channels/meta/MetaChannel.js"
import type { CanonicalOrder } from "../../../../src/events/CanonicalOrder.js"
import type { MetaTarget } from "../../../../src/events/configSchema.js"
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
const ok: Handler = () => ({ status: 200, body: { events_received: 1 } })

const dispatch = (order: CanonicalOrder, overrides: Partial<DispatchInput<MetaTarget>> = {}) => ({
  order,
  target,
  kind: "conversion" as const,
  attempt: 1,
  now: NOW,
  ...overrides
})

const run = (handler: Handler, input: DispatchInput<MetaTarget>, env: Record<string, string> = { META_TOKEN: "tok" }) =>
  withFakeServer(handler, (server) =>
    MetaChannel.send(input).pipe(
      Effect.either,
      withEnv({ META_GRAPH_URL: server.url, ...env }),
      Effect.map((result) => ({ result, server }))
    )
  )

const failure = (result: Either.Either<unknown, ChannelError>): ChannelError => {
  if (Either.isRight(result)) throw new Error(`expected a ChannelError, got ${JSON.stringify(result.right)}`)
  return result.left
}

describe("MetaChannel consent", () => {
  it.effect("denied ad_user_data: no contact data and no IP, only the browser cookies and user agent", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", {
        consent: { adUserData: "denied" },
        tracking: { ...makeOrder().tracking, fbp: "fb.1.1596403881668.1116446470" }
      })
      const { result, server } = yield* run(ok, dispatch(order))
      expect(Either.isRight(result)).toBe(true)
      const userData = (server.json(0) as { data: Array<{ user_data: Record<string, unknown> }> }).data[0]!.user_data
      expect(userData).toEqual({
        client_user_agent: order.userAgent,
        fbc: "fb.1.1773132072345.IwAR2xYzAbCdEf-MixedCase_123",
        fbp: "fb.1.1596403881668.1116446470"
      })
    })
  )

  it.effect("denied ad_user_data and no fbc/fbp: Skipped consent_denied, nothing sent", () =>
    Effect.gen(function* () {
      const order = makeOrder("FR", {
        consent: { adUserData: "denied" },
        tracking: { clickIds: {}, utm: {} }
      })
      const { result, server } = yield* run(ok, dispatch(order))
      expect(server.requests).toHaveLength(0)
      expect(result).toEqual(Either.right(expect.objectContaining({ _tag: "Skipped", reason: "consent_denied" })))
    })
  )
})

describe("MetaChannel skips and refusals", () => {
  it.effect("nothing Meta can match: Skipped missing_identifiers", () =>
    Effect.gen(function* () {
      const { clientIp: _ip, ...bare } = makeOrder("SE", { customer: { country: "SE", city: "Malmö" } })
      const order: CanonicalOrder = { ...bare, tracking: { clickIds: {}, utm: {} } }
      const { result, server } = yield* run(ok, dispatch(order))
      expect(server.requests).toHaveLength(0)
      expect(result).toEqual(Either.right(expect.objectContaining({ _tag: "Skipped", reason: "missing_identifiers" })))
    })
  )

  it.effect("an event older than 7 days fails Expired without a request", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse("2026-03-10T09:05:30Z") + 7 * 86_400_000 + 1000)
      const { result, server } = yield* run(ok, dispatch(makeOrder("DE"), { now }))
      expect(server.requests).toHaveLength(0)
      const error = failure(result)
      expect(error.reason).toBe("Expired")
      expect(error.retryable).toBe(false)
      expect(error.detail).toContain("7 days")
    })
  )

  it.effect("an event exactly 7 days old is still sent", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse("2026-03-10T09:05:30Z") + 7 * 86_400_000)
      const { result, server } = yield* run(ok, dispatch(makeOrder("DE"), { now }))
      expect(server.requests).toHaveLength(1)
      expect(Either.isRight(result)).toBe(true)
    })
  )

  it.effect("a paid time slightly in the future is sent as now", () =>
    Effect.gen(function* () {
      const now = new Date("2026-03-10T09:05:00Z")
      const { server } = yield* run(ok, dispatch(makeOrder("DE"), { now }))
      expect((server.json(0) as { data: Array<{ event_time: number }> }).data[0]!.event_time).toBe(1773133500)
    })
  )

  it.effect("refund adjustments are unsupported", () =>
    Effect.gen(function* () {
      expect(MetaChannel.supports).toEqual(["conversion"])
      const { result, server } = yield* run(ok, dispatch(makeOrder("DE"), { kind: "retraction" }))
      expect(server.requests).toHaveLength(0)
      expect(result).toEqual(Either.right(expect.objectContaining({ _tag: "Skipped", reason: "unsupported" })))
    })
  )

  it.effect("a missing access token variable is a Configuration error naming it", () =>
    Effect.gen(function* () {
      const { result, server } = yield* run(ok, dispatch(makeOrder("DE")), {})
      expect(server.requests).toHaveLength(0)
      const error = failure(result)
      expect(error.reason).toBe("Configuration")
      expect(error.retryable).toBe(false)
      expect(error.detail).toContain("META_TOKEN")
    })
  )

  it.effect("a 200 with events_received 0 is a rejection", () =>
    Effect.gen(function* () {
      const { result } = yield* run(
        () => ({ status: 200, body: { events_received: 0, messages: ["bad"] } }),
        dispatch(makeOrder("DE"))
      )
      expect(failure(result).reason).toBe("Rejected")
    })
  )
})

const graphError = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `error ${code}`, type: "OAuthException", code, fbtrace_id: "Ftrace", ...extra }
})

describe("MetaChannel Graph error mapping", () => {
  const table: ReadonlyArray<
    readonly [label: string, status: number, body: unknown, reason: ChannelError["reason"], retryable: boolean]
  > = [
    ["code 1 (API unknown)", 500, graphError(1), "ServerError", true],
    ["code 2 (API service)", 503, graphError(2), "ServerError", true],
    ["code 4 (app throttled)", 400, graphError(4), "RateLimited", true],
    ["code 17 (user throttled)", 400, graphError(17), "RateLimited", true],
    ["code 341 (app limit)", 400, graphError(341), "RateLimited", true],
    ["code 613", 400, graphError(613), "RateLimited", true],
    ["code 100 (invalid parameter)", 400, graphError(100, { error_subcode: 2804003 }), "InvalidPayload", false],
    ["code 190 (token expired)", 400, graphError(190), "Unauthorized", false],
    ["code 200 (permissions)", 403, graphError(200), "Unauthorized", false],
    ["code 294", 400, graphError(294), "Unauthorized", false],
    ["code 10 (permission)", 400, graphError(10), "Unauthorized", false],
    ["code 368 (blocked)", 400, graphError(368), "Rejected", false],
    ["is_transient", 400, graphError(999, { is_transient: true }), "ServerError", true],
    ["5xx with a permanent code", 502, graphError(100), "ServerError", true],
    ["HTML 502 from a proxy", 502, "<html>Bad Gateway</html>", "ServerError", true],
    ["plain 429", 429, "slow down", "RateLimited", true],
    ["unknown 4xx code", 400, graphError(12345), "InvalidPayload", false]
  ]

  for (const [label, status, body, reason, retryable] of table) {
    it.effect(`${label} -> ${reason}${retryable ? " (retried)" : ""}`, () =>
      Effect.gen(function* () {
        const { result } = yield* run(() => ({ status, body }), dispatch(makeOrder("DE")))
        const error = failure(result)
        expect(error.reason).toBe(reason)
        expect(error.retryable).toBe(retryable)
        expect(error.status).toBe(status)
        expect(error.exchanges).toHaveLength(1)
      })
    )
  }

  it.effect("a rate limit carries Retry-After", () =>
    Effect.gen(function* () {
      const { result } = yield* run(
        () => ({ status: 400, headers: { "retry-after": "120" }, body: graphError(17) }),
        dispatch(makeOrder("DE"))
      )
      expect(failure(result).retryAfterMs).toBe(120_000)
    })
  )

  it.effect("the error detail carries Meta's message, code and trace id, never the token", () =>
    Effect.gen(function* () {
      const { result } = yield* run(
        () => ({
          status: 400,
          body: graphError(190, { message: "Error validating access token", error_subcode: 463 })
        }),
        dispatch(makeOrder("DE")),
        { META_TOKEN: "secret-token-123" }
      )
      const error = failure(result)
      expect(error.detail).toContain("Error validating access token (code 190/463) [fbtrace_id Ftrace]")
      expect(error.message).not.toContain("secret-token-123")
      expect(JSON.stringify(error.exchanges)).not.toContain("secret-token-123")
    })
  )
})
