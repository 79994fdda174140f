import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { ChannelError } from "../../../../src/dispatch/Channel.js"
import { makeOrder, PLACED_AT } from "../support/orders.js"
import { dispatch, failure, ingestRequests, sendOnce, success } from "./support.js"

const rpcError = (code: number, status: string, message: string, details: ReadonlyArray<unknown> = []) => ({
  error: { code, message, status, details }
})
const errorInfo = (reason: string, metadata: Record<string, string> = {}) => ({
  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
  reason,
  domain: "datamanager.googleapis.com",
  metadata
})
const badRequest = (field: string, reason: string, description: string) => ({
  "@type": "type.googleapis.com/google.rpc.BadRequest",
  fieldViolations: [{ field, reason, description }]
})

describe("Data Manager gates before sending", () => {
  it.effect("a click younger than 6 hours: TooRecent, retryAt = order placement + 6 h, nothing sent", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse(PLACED_AT) + 2 * 60 * 60 * 1000)
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE"), { now }))
      expect(server.requests).toHaveLength(0)
      const error = failure(result)
      expect(error.reason).toBe("TooRecent")
      expect(error.retryable).toBe(true)
      expect(error.retryAt?.toISOString()).toBe("2026-03-10T15:00:00.000Z")
    })
  )

  it.effect("without a click id there is no click to wait for: identifiers alone are sent at once", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse(PLACED_AT) + 60 * 1000)
      const order = makeOrder("DE", { tracking: { clickIds: {}, utm: {} } })
      const { result, server } = yield* sendOnce(dispatch(order, { now }))
      expect(ingestRequests(server)).toHaveLength(1)
      expect(success(result)._tag).toBe("Delivered")
    })
  )

  it.effect("a young order with nothing to match is skipped at once, not parked for 6 hours", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse(PLACED_AT) + 60 * 1000)
      const order = makeOrder("DE", { customer: {}, tracking: { clickIds: {}, utm: {}, gclid: "abc def" } })
      const { result, server } = yield* sendOnce(dispatch(order, { now }))
      expect(server.requests).toHaveLength(0)
      expect(success(result)).toMatchObject({ _tag: "Skipped", reason: "missing_identifiers" })
    })
  )

  it.effect("a young order without any consent signal is a Configuration error at once, not TooRecent", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse(PLACED_AT) + 60 * 1000)
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE", { consent: {} }), { now }))
      expect(server.requests).toHaveLength(0)
      expect(failure(result).reason).toBe("Configuration")
    })
  )

  it.effect("exactly 6 hours after placement it is sent", () =>
    Effect.gen(function* () {
      const now = new Date(Date.parse(PLACED_AT) + 6 * 60 * 60 * 1000)
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE"), { now }))
      expect(ingestRequests(server)).toHaveLength(1)
      expect(success(result)._tag).toBe("Delivered")
    })
  )

  it.effect("no click id and no email/phone: Skipped missing_identifiers, nothing sent", () =>
    Effect.gen(function* () {
      const order = makeOrder("SE", {
        customer: { country: "SE", phone: "12345" },
        tracking: { clickIds: {}, utm: {} }
      })
      const { result, server } = yield* sendOnce(dispatch(order))
      expect(server.requests).toHaveLength(0)
      expect(success(result)).toMatchObject({ _tag: "Skipped", reason: "missing_identifiers" })
    })
  )

  it.effect("only a malformed click id and no identifiers: Skipped missing_identifiers, saying why", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", { customer: {}, tracking: { clickIds: {}, utm: {}, gclid: "abc def" } })
      const { result, server } = yield* sendOnce(dispatch(order))
      expect(server.requests).toHaveLength(0)
      const skipped = success(result)
      expect(skipped).toMatchObject({ _tag: "Skipped", reason: "missing_identifiers" })
      expect(skipped._tag === "Skipped" && skipped.detail).toContain("gclid dropped")
    })
  )

  it.effect("a missing credentials variable is a Configuration error naming it", () =>
    Effect.gen(function* () {
      const { result } = yield* sendOnce(dispatch(makeOrder("DE")), {}, { GOOGLE_CREDS: "" })
      const error = failure(result)
      expect(error.reason).toBe("Configuration")
      expect(error.detail).toContain("GOOGLE_CREDS")
    })
  )

  it.effect("credentials that are neither an authorized user nor a service account: Configuration", () =>
    Effect.gen(function* () {
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE")), {}, { GOOGLE_CREDS: '{"client_id":"x"}' })
      expect(server.requests).toHaveLength(0)
      const error = failure(result)
      expect(error.reason).toBe("Configuration")
      expect(error.detail).not.toContain('"x"')
    })
  )
})

describe("Data Manager error mapping", () => {
  const table: ReadonlyArray<
    readonly [label: string, status: number, body: unknown, reason: ChannelError["reason"], retryable: boolean]
  > = [
    [
      "INVALID_ARGUMENT with a field violation",
      400,
      rpcError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", [
        errorInfo("INVALID_FORMAT"),
        badRequest("events[0].ad_identifiers.gclid", "INVALID_FORMAT", "gclid is malformed")
      ]),
      "InvalidPayload",
      false
    ],
    [
      "INVALID_CONVERSION_ACTION_ID",
      400,
      rpcError(400, "INVALID_ARGUMENT", "bad action", [errorInfo("INVALID_CONVERSION_ACTION_ID")]),
      "Configuration",
      false
    ],
    [
      "terms not signed",
      400,
      rpcError(400, "FAILED_PRECONDITION", "terms", [
        errorInfo("DESTINATION_ACCOUNT_ENHANCED_CONVERSIONS_TERMS_NOT_SIGNED")
      ]),
      "Configuration",
      false
    ],
    ["PERMISSION_DENIED", 403, rpcError(403, "PERMISSION_DENIED", "caller lacks access"), "Unauthorized", false],
    ["NOT_FOUND", 404, rpcError(404, "NOT_FOUND", "no such account"), "Configuration", false],
    ["RESOURCE_EXHAUSTED", 429, rpcError(429, "RESOURCE_EXHAUSTED", "quota"), "RateLimited", true],
    ["INTERNAL", 500, rpcError(500, "INTERNAL", "oops"), "ServerError", true],
    ["UNAVAILABLE", 503, rpcError(503, "UNAVAILABLE", "try later"), "ServerError", true],
    ["DEADLINE_EXCEEDED", 504, rpcError(504, "DEADLINE_EXCEEDED", "slow"), "Timeout", true],
    ["HTML 502", 502, "<html>bad gateway</html>", "ServerError", true]
  ]
  for (const [label, status, body, reason, retryable] of table) {
    it.effect(`${label} -> ${reason}${retryable ? " (retried)" : ""}`, () =>
      Effect.gen(function* () {
        const { result } = yield* sendOnce(dispatch(makeOrder("DE")), { ingest: () => ({ status, body }) })
        const error = failure(result)
        expect(error.reason).toBe(reason)
        expect(error.retryable).toBe(retryable)
        expect(error.status).toBe(status)
        // The token exchange and the failed ingest are both in the record.
        expect(error.exchanges.map((e) => e.response?.status)).toEqual([200, status])
      })
    )
  }

  it.effect("the detail names the failing field and reason", () =>
    Effect.gen(function* () {
      const body = rpcError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", [
        badRequest("events[0].ad_identifiers.gclid", "INVALID_FORMAT", "gclid is malformed"),
        { "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: "rq-9" }
      ])
      const { result } = yield* sendOnce(dispatch(makeOrder("DE")), { ingest: () => ({ status: 400, body }) })
      expect(failure(result).detail).toBe(
        "INVALID_ARGUMENT: Request contains an invalid argument.; reasons INVALID_FORMAT; " +
          "fields events[0].ad_identifiers.gclid INVALID_FORMAT: gclid is malformed; requestId rq-9"
      )
    })
  )

  it.effect("RESOURCE_EXHAUSTED honours RetryInfo and names the quota", () =>
    Effect.gen(function* () {
      const body = rpcError(429, "RESOURCE_EXHAUSTED", "quota exceeded", [
        errorInfo("RESOURCE_EXHAUSTED", { quota_limit: "IngestionMutateRequestsPerMinutePerProject" }),
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "30s" }
      ])
      const { result } = yield* sendOnce(dispatch(makeOrder("DE")), { ingest: () => ({ status: 429, body }) })
      const error = failure(result)
      expect(error.retryAfterMs).toBe(30_000)
      expect(error.detail).toContain("IngestionMutateRequestsPerMinutePerProject")
    })
  )

  it.effect("a 429 without RetryInfo uses Retry-After", () =>
    Effect.gen(function* () {
      const { result } = yield* sendOnce(dispatch(makeOrder("DE")), {
        ingest: () => ({ status: 429, headers: { "retry-after": "7" }, body: rpcError(429, "RESOURCE_EXHAUSTED", "q") })
      })
      expect(failure(result).retryAfterMs).toBe(7000)
    })
  )

  it.effect("a duplicate transaction id counts as already recorded", () =>
    Effect.gen(function* () {
      const body = rpcError(400, "INVALID_ARGUMENT", "duplicate", [
        errorInfo("PROCESSING_ERROR_REASON_DUPLICATE_TRANSACTION_ID")
      ])
      const { result } = yield* sendOnce(dispatch(makeOrder("DE")), { ingest: () => ({ status: 400, body }) })
      expect(success(result)).toMatchObject({ _tag: "Delivered", dedupKey: "1001", alreadyRecorded: true })
    })
  )
})
