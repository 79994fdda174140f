import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as lib from "google-ads-api"
import type { ChannelError } from "../../../../src/dispatch/Channel.js"
import { makeOrder, PLACED_AT } from "../support/orders.js"
import { adsTarget, partialFailureStatus, sendAds } from "./adsSupport.js"
import { dispatch, failure, success } from "./support.js"

const upload = lib.errors.ConversionUploadErrorEnum.ConversionUploadError
const adjustment = lib.errors.ConversionAdjustmentUploadErrorEnum.ConversionAdjustmentUploadError

type ErrorCode = Record<string, number>

const failureOf = (error_code: ErrorCode, message = "from Google") =>
  new lib.errors.GoogleAdsFailure({
    errors: [{ error_code, message, location: { field_path_elements: [{ field_name: "conversions", index: 0 }] } }],
    request_id: "rq-1"
  })

/** The response shape UploadClickConversions returns: the failure as raw bytes inside a google.rpc.Status. */
const partialFailure = (error_code: ErrorCode) => () => ({
  partial_failure_error: partialFailureStatus(failureOf(error_code)),
  results: [{}]
})

const thrown = (error: unknown) => () => {
  throw error
}

const oneHourAfterPlacement = new Date(Date.parse(PLACED_AT) + 60 * 60 * 1000)

describe("Ads API partial failures of UploadClickConversions", () => {
  const table: ReadonlyArray<readonly [code: keyof typeof upload, reason: ChannelError["reason"], retryable: boolean]> =
    [
      ["TOO_RECENT_EVENT", "TooRecent", true],
      ["TOO_RECENT_CONVERSION_ACTION", "TooRecent", true],
      ["EXPIRED_EVENT", "Expired", false],
      ["CONVERSION_PRECEDES_EVENT", "InvalidPayload", false],
      ["UNPARSEABLE_GCLID", "InvalidPayload", false],
      ["GBRAID_WBRAID_BOTH_SET", "InvalidPayload", false],
      ["INVALID_USER_IDENTIFIER", "InvalidPayload", false],
      ["ORDER_ID_CONTAINS_PII", "InvalidPayload", false],
      ["CLICK_NOT_FOUND", "Rejected", false],
      ["EVENT_NOT_FOUND", "Rejected", false],
      ["NO_CONVERSION_ACTION_FOUND", "Configuration", false],
      ["INVALID_CONVERSION_ACTION_TYPE", "Configuration", false],
      ["CUSTOMER_NOT_ACCEPTED_CUSTOMER_DATA_TERMS", "Configuration", false]
    ]
  for (const [code, reason, retryable] of table) {
    it.effect(`${code} -> ${reason}${retryable ? " (retried)" : ""}`, () =>
      Effect.gen(function* () {
        const { result } = yield* sendAds(
          dispatch(makeOrder("DE"), { target: adsTarget }),
          partialFailure({ conversion_upload_error: upload[code] })
        )
        const error = failure(result)
        expect(error.reason).toBe(reason)
        expect(error.retryable).toBe(retryable)
        expect(error.detail).toContain(`conversion_upload_error.${code}: from Google`)
        expect(error.exchanges[0]!.response?.body).toContain(code)
      })
    )
  }

  it.effect("TOO_RECENT_EVENT is retried 6 hours after the order was placed", () =>
    Effect.gen(function* () {
      const { result } = yield* sendAds(
        dispatch(makeOrder("DE"), { target: adsTarget, now: oneHourAfterPlacement }),
        partialFailure({ conversion_upload_error: upload.TOO_RECENT_EVENT })
      )
      expect(failure(result).retryAt?.toISOString()).toBe("2026-03-10T15:00:00.000Z")
    })
  )

  for (const code of ["ORDER_ID_ALREADY_IN_USE", "CLICK_CONVERSION_ALREADY_EXISTS"] as const) {
    it.effect(`${code} is a delivery Google already recorded`, () =>
      Effect.gen(function* () {
        const { result } = yield* sendAds(
          dispatch(makeOrder("DE"), { target: adsTarget }),
          partialFailure({ conversion_upload_error: upload[code] })
        )
        const delivered = success(result)
        expect(delivered).toMatchObject({ _tag: "Delivered", dedupKey: "1001", alreadyRecorded: true })
        expect(delivered._tag === "Delivered" && delivered.detail).toContain(code)
      })
    )
  }

  it.effect("validate_only with ORDER_ID_ALREADY_IN_USE: Google has it from a real upload, so Delivered", () =>
    Effect.gen(function* () {
      const { result } = yield* sendAds(
        dispatch(makeOrder("DE"), { target: { ...adsTarget, validateOnly: true } }),
        partialFailure({ conversion_upload_error: upload.ORDER_ID_ALREADY_IN_USE })
      )
      expect(success(result)).toMatchObject({ _tag: "Delivered", alreadyRecorded: true })
    })
  )
})

describe("Ads API errors thrown for the whole call", () => {
  it.effect("CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE is permanent and points to api: data-manager", () =>
    Effect.gen(function* () {
      const notAllowlisted =
        lib.errors.NotAllowlistedErrorEnum.NotAllowlistedError.CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE
      const { result } = yield* sendAds(
        dispatch(makeOrder("DE"), { target: adsTarget }),
        thrown(failureOf({ not_allowlisted_error: notAllowlisted }))
      )
      const error = failure(result)
      expect(error.reason).toBe("Rejected")
      expect(error.retryable).toBe(false)
      expect(error.detail).toContain("not_allowlisted_error.CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE")
      expect(error.detail).toContain("api: data-manager")
      expect(error.exchanges[0]!.error).toContain("CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE")
    })
  )

  const families: ReadonlyArray<
    readonly [label: string, code: ErrorCode, reason: ChannelError["reason"], retryable: boolean]
  > = [
    [
      "authentication_error",
      { authentication_error: lib.errors.AuthenticationErrorEnum.AuthenticationError.OAUTH_TOKEN_EXPIRED },
      "Unauthorized",
      false
    ],
    [
      "authorization_error",
      { authorization_error: lib.errors.AuthorizationErrorEnum.AuthorizationError.DEVELOPER_TOKEN_NOT_APPROVED },
      "Unauthorized",
      false
    ],
    [
      "quota_error",
      { quota_error: lib.errors.QuotaErrorEnum.QuotaError.RESOURCE_TEMPORARILY_EXHAUSTED },
      "RateLimited",
      true
    ],
    [
      "internal_error",
      { internal_error: lib.errors.InternalErrorEnum.InternalError.INTERNAL_ERROR },
      "ServerError",
      true
    ],
    [
      "request_error",
      { request_error: lib.errors.RequestErrorEnum.RequestError.INVALID_CUSTOMER_ID },
      "InvalidPayload",
      false
    ]
  ]
  for (const [label, code, reason, retryable] of families) {
    it.effect(`${label} -> ${reason}`, () =>
      Effect.gen(function* () {
        const { result } = yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }), thrown(failureOf(code)))
        const error = failure(result)
        expect(error.reason).toBe(reason)
        expect(error.retryable).toBe(retryable)
      })
    )
  }

  const grpc: ReadonlyArray<readonly [code: number, reason: ChannelError["reason"], retryable: boolean]> = [
    [14, "Transport", true],
    [4, "Timeout", true],
    [16, "Unauthorized", false],
    [8, "RateLimited", true],
    [13, "ServerError", true]
  ]
  for (const [code, reason, retryable] of grpc) {
    it.effect(`a gRPC status ${code} without GoogleAdsFailure -> ${reason}`, () =>
      Effect.gen(function* () {
        const error = Object.assign(new Error(`grpc status ${code}`), { code })
        const { result } = yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }), thrown(error))
        expect(failure(result)).toMatchObject({ reason, retryable })
      })
    )
  }

  it.effect("a refused OAuth refresh (invalid_grant) is Unauthorized", () =>
    Effect.gen(function* () {
      const error = Object.assign(new Error("invalid_grant"), { response: { data: { error: "invalid_grant" } } })
      const { result } = yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }), thrown(error))
      expect(failure(result)).toMatchObject({ reason: "Unauthorized", retryable: false })
    })
  )
})

describe("Ads API adjustment failures", () => {
  const adjustmentFailure = (code: keyof typeof adjustment) => () => ({
    partial_failure_error: partialFailureStatus(failureOf({ conversion_adjustment_upload_error: adjustment[code] })),
    results: [{}]
  })
  const refunded = makeOrder("DE", { status: "refunded", refundedMinor: 4990 })

  for (const code of [
    "CONVERSION_ALREADY_RETRACTED",
    "RESTATEMENT_ALREADY_EXISTS",
    "MORE_RECENT_RESTATEMENT_FOUND"
  ] as const) {
    it.effect(`${code} counts as already recorded`, () =>
      Effect.gen(function* () {
        const { result } = yield* sendAds(
          dispatch(refunded, { target: adsTarget, kind: "retraction" }),
          adjustmentFailure(code)
        )
        expect(success(result)).toMatchObject({ _tag: "Delivered", alreadyRecorded: true })
      })
    )
  }

  it.effect("TOO_RECENT_CONVERSION is retried 24 hours after the conversion", () =>
    Effect.gen(function* () {
      const { result } = yield* sendAds(
        dispatch(refunded, { target: adsTarget, kind: "retraction", now: oneHourAfterPlacement }),
        adjustmentFailure("TOO_RECENT_CONVERSION")
      )
      const error = failure(result)
      expect(error.reason).toBe("TooRecent")
      expect(error.retryAt?.toISOString()).toBe("2026-03-11T09:05:30.000Z")
    })
  )

  const table: ReadonlyArray<readonly [code: keyof typeof adjustment, reason: ChannelError["reason"]]> = [
    ["CONVERSION_EXPIRED", "Expired"],
    ["CONVERSION_NOT_FOUND", "Rejected"],
    ["ADJUSTMENT_PRECEDES_CONVERSION", "InvalidPayload"],
    ["CANNOT_RESTATE_CONVERSION_ACTION_THAT_ALWAYS_USES_DEFAULT_CONVERSION_VALUE", "Configuration"]
  ]
  for (const [code, reason] of table) {
    it.effect(`${code} -> ${reason}`, () =>
      Effect.gen(function* () {
        const { result } = yield* sendAds(
          dispatch(refunded, { target: adsTarget, kind: "restatement", valueMinor: 1000 }),
          adjustmentFailure(code)
        )
        expect(failure(result)).toMatchObject({ reason, retryable: false })
      })
    )
  }
})
