// The ads-api path goes through google-ads-api, which speaks gRPC to a fixed host and has no HTTP seam.
// These tests use the library's own onServiceStart hook: it sees the exact request object the library
// would serialize (after our code built it) and `cancel(response)` answers without a network. Covered:
// request building, error decoding and classification. Not covered: bytes on the wire and the
// library's OAuth refresh (google-auth-library), which only a real Google Ads account can exercise.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { adsDateTime } from "../../../../src/dispatch/channels/google-ads/ads-api/request.js"
import { previewDispatch } from "../../../../src/operations/redispatch/preview.js"
import { makeOrder, NOW } from "../support/orders.js"
import { sha } from "../support/run.js"
import { adsTarget, sendAds } from "./adsSupport.js"
import { CREDENTIALS, dispatch, failure, success } from "./support.js"

const GCLID = "Cj0KCQjw_example-GCLID_BwE"
const ACTION = "customers/1234567890/conversionActions/987654321"

describe("Ads API request building", () => {
  it.effect("UploadClickConversions with partial_failure, local time with offset, hashes and consent", () =>
    Effect.gen(function* () {
      const { result, captured, server } = yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }))
      expect(server.requests).toHaveLength(0)
      expect(captured).toHaveLength(1)
      expect(captured[0]!.method).toBe("ConversionUploadService.UploadClickConversions")
      expect(captured[0]!.credentials).toEqual({
        customer_id: "1234567890",
        login_customer_id: "5555555555",
        linked_customer_id: undefined
      })
      expect(captured[0]!.request).toEqual({
        customer_id: "1234567890",
        partial_failure: true,
        conversions: [
          {
            gclid: GCLID,
            conversion_action: ACTION,
            conversion_date_time: "2026-03-10 10:05:30+01:00",
            conversion_value: 49.9,
            currency_code: "EUR",
            order_id: "1001",
            user_identifiers: [
              { hashed_email: sha("anna.mueller@example.de") },
              { hashed_phone_number: sha("+4915123456789") }
            ],
            consent: { ad_user_data: "GRANTED" }
          }
        ]
      })
      expect(success(result)).toMatchObject({ _tag: "Delivered", dedupKey: "1001", alreadyRecorded: false })
    })
  )

  it.effect("records the call as a gRPC exchange without the developer token", () =>
    Effect.gen(function* () {
      const { result } = yield* sendAds(dispatch(makeOrder("GB"), { target: adsTarget }))
      const [exchange] = success(result).exchanges
      expect(exchange!.request.url).toBe(
        "grpc://googleads.googleapis.com/google.ads.googleads.v24.services.ConversionUploadService/UploadClickConversions"
      )
      expect(exchange!.request.headers).toEqual({ "developer-token": "[redacted]", "login-customer-id": "5555555555" })
      expect(exchange!.request.body).toContain(sha("oliversmith@googlemail.com"))
      expect(exchange!.response?.body).toBe('{"results":[{"gclid":"x"}],"job_id":7}')
      const all = JSON.stringify(success(result).exchanges)
      for (const secret of ["dev-token-secret", CREDENTIALS.client_secret, CREDENTIALS.refresh_token]) {
        expect(all).not.toContain(secret)
      }
    })
  )

  it.effect("a re-dispatch dry run shows the request exactly as the send records it, adjustments included", () =>
    Effect.gen(function* () {
      const adsLib = yield* Effect.promise(() => import("google-ads-api"))
      const order = makeOrder("DE")
      for (const kind of ["conversion", "retraction", "restatement"] as const) {
        const valueMinor = kind === "restatement" ? 2990 : undefined
        const { result } = yield* sendAds(dispatch(order, { target: adsTarget, kind, valueMinor }))
        const [exchange] = success(result).exchanges
        const preview = previewDispatch({ target: adsTarget, order, kind, valueMinor, now: NOW, adsLib })
        expect(preview).toMatchObject({ _tag: "Send", dedupKey: "1001" })
        expect(preview._tag === "Send" && preview.request).toEqual(exchange!.request)
        // Without the library: the summary and the dedup key, no request.
        const summary = previewDispatch({ target: adsTarget, order, kind, valueMinor, now: NOW })
        expect(summary._tag === "Send" && summary.request).toBeUndefined()
      }
      const badZone = previewDispatch({
        target: { ...adsTarget, timeZone: "Mars/Olympus" },
        order,
        kind: "conversion",
        now: NOW,
        adsLib
      })
      expect(badZone).toEqual({
        _tag: "Skip",
        reason: "target google-acme is misconfigured: timeZone Mars/Olympus is not an IANA time zone"
      })
    })
  )

  it.effect("wbraid, UTC by default (with a warning), and consent denied: no user identifiers", () =>
    Effect.gen(function* () {
      const { gclid: _g, ...tracking } = makeOrder().tracking
      const order = makeOrder("US", {
        tracking: { ...tracking, wbraid: "CjkKwbraid-value" },
        consent: { adUserData: "denied" }
      })
      const { timeZone: _tz, ...utcTarget } = adsTarget
      const { captured, result } = yield* sendAds(dispatch(order, { target: utcTarget }))
      const delivered = success(result)
      expect(delivered._tag === "Delivered" && delivered.detail).toContain("timeZone unset")
      const conversion = (captured[0]!.request.conversions as Array<Record<string, unknown>>)[0]!
      expect(conversion).toEqual({
        wbraid: "CjkKwbraid-value",
        conversion_action: ACTION,
        conversion_date_time: "2026-03-10 09:05:30+00:00",
        conversion_value: 49.9,
        currency_code: "USD",
        order_id: "1001",
        consent: { ad_user_data: "DENIED" }
      })
    })
  )

  it.effect("validateOnly is passed as validate_only and recorded as Skipped validated, not Delivered", () =>
    Effect.gen(function* () {
      const { captured, result } = yield* sendAds(
        dispatch(makeOrder("DE"), { target: { ...adsTarget, validateOnly: true } })
      )
      expect(captured[0]!.request.validate_only).toBe(true)
      const skipped = success(result)
      expect(skipped).toMatchObject({ _tag: "Skipped", reason: "validated" })
      expect(skipped.exchanges).toHaveLength(1)
    })
  )

  it.effect("a full refund is a RETRACTION keyed by order_id, without a value", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", { status: "refunded", refundedMinor: 4990 })
      const { result, captured } = yield* sendAds(dispatch(order, { target: adsTarget, kind: "retraction" }), () => ({
        results: [{ order_id: "1001" }]
      }))
      expect(captured[0]!.method).toBe("ConversionAdjustmentUploadService.UploadConversionAdjustments")
      expect(captured[0]!.request).toEqual({
        customer_id: "1234567890",
        partial_failure: true,
        conversion_adjustments: [
          {
            order_id: "1001",
            conversion_action: ACTION,
            adjustment_date_time: "2026-03-11 10:00:00+01:00",
            adjustment_type: "RETRACTION"
          }
        ]
      })
      expect(success(result)).toMatchObject({ _tag: "Delivered", dedupKey: "1001", alreadyRecorded: false })
    })
  )

  it.effect("a partial refund is a RESTATEMENT with the new total", () =>
    Effect.gen(function* () {
      const order = makeOrder("SE", { status: "partially_refunded", refundedMinor: 2000 })
      const { captured } = yield* sendAds(dispatch(order, { target: adsTarget, kind: "restatement", valueMinor: 2990 }))
      expect((captured[0]!.request.conversion_adjustments as Array<unknown>)[0]).toEqual({
        order_id: "1001",
        conversion_action: ACTION,
        adjustment_date_time: "2026-03-11 10:00:00+01:00",
        adjustment_type: "RESTATEMENT",
        restatement_value: { adjusted_value: 29.9, currency_code: "SEK" }
      })
    })
  )

  it.effect("missing developerToken, a service-account key, or a bad time zone: Configuration, no call", () =>
    Effect.gen(function* () {
      const { developerToken: _d, ...noToken } = adsTarget
      const a = yield* sendAds(dispatch(makeOrder("DE"), { target: noToken }))
      expect(failure(a.result).detail).toContain("developerToken")
      const sa = JSON.stringify({ type: "service_account", client_email: "a@b", private_key: "k" })
      const b = yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }), undefined, {
        GOOGLE_DEV_TOKEN: "d",
        GOOGLE_CREDS: sa
      })
      expect(failure(b.result).detail).toContain("refresh token")
      const c = yield* sendAds(dispatch(makeOrder("DE"), { target: { ...adsTarget, timeZone: "Mars/Olympus" } }))
      expect(failure(c.result).detail).toContain("Mars/Olympus")
      for (const r of [a, b, c]) {
        expect(failure(r.result).reason).toBe("Configuration")
        expect(r.captured).toHaveLength(0)
      }
    })
  )
})

describe("adsDateTime", () => {
  it.each([
    ["2026-03-10T09:05:30Z", "Europe/Berlin", "2026-03-10 10:05:30+01:00"],
    ["2026-07-01T12:00:00Z", "Europe/Berlin", "2026-07-01 14:00:00+02:00"],
    ["2026-07-01T12:00:00Z", "America/Toronto", "2026-07-01 08:00:00-04:00"],
    ["2026-01-15T23:30:00Z", "America/Los_Angeles", "2026-01-15 15:30:00-08:00"],
    ["2026-03-29T00:59:59Z", "Europe/London", "2026-03-29 00:59:59+00:00"],
    ["2026-03-29T01:00:00Z", "Europe/London", "2026-03-29 02:00:00+01:00"],
    ["2026-06-30T22:00:00.999Z", "Asia/Kolkata", "2026-07-01 03:30:00+05:30"],
    ["2026-03-10T09:05:30Z", "UTC", "2026-03-10 09:05:30+00:00"]
  ])("%s in %s -> %s", (iso, zone, expected) => {
    expect(adsDateTime(new Date(iso), zone)).toBe(expected)
  })

  it("the dispatch time used for adjustments is NOW", () => {
    expect(adsDateTime(NOW, "Europe/Berlin")).toBe("2026-03-11 10:00:00+01:00")
  })
})
