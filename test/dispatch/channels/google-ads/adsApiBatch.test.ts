// The ads-api batch: one UploadClickConversions / UploadConversionAdjustments call per target and rpc
// with up to 2,000 rows and partial_failure, each partial failure mapped back to its row by the index
// in its location. The library's onServiceStart hook captures each call and answers it (adsSupport.ts).
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as lib from "google-ads-api"
import type { ChannelError, ChannelResult, DispatchInput, ItemOutcome } from "../../../../src/dispatch/Channel.js"
import type { GoogleAdsTarget } from "../../../../src/events/configSchema.js"
import { makeOrder, PLACED_AT } from "../support/orders.js"
import { adsTarget, partialFailureStatus, sendAdsBatch } from "./adsSupport.js"
import { dispatch } from "./support.js"

const upload = lib.errors.ConversionUploadErrorEnum.ConversionUploadError
const adjustment = lib.errors.ConversionAdjustmentUploadErrorEnum.ConversionAdjustmentUploadError
const ACTION = "customers/1234567890/conversionActions/987654321"

type Row = Record<string, unknown>
interface RowError {
  readonly error_code: Record<string, number>
  /** The row the error names; undefined: an error without a location. */
  readonly index?: number | undefined
  readonly field?: "conversions" | "conversion_adjustments"
}

const order = (i: number, overrides: Parameters<typeof makeOrder>[1] = {}) =>
  makeOrder("DE", { orderKey: `shop-de:${i}`, platformOrderId: String(i), ...overrides })

const conversions = (n: number, overrides: Partial<DispatchInput<GoogleAdsTarget>> = {}) =>
  Array.from({ length: n }, (_, i) => dispatch(order(i + 1), { target: adsTarget, ...overrides }))

const rowsOf = (request: Row): Array<Row> => (request.conversions ?? request.conversion_adjustments ?? []) as Array<Row>
const orderIds = (request: Row) => rowsOf(request).map((row) => row.order_id as string)

/** UploadClickConversions' answer: a result per row (empty for a failed one), the failures as raw bytes. */
const answer =
  (errors: (request: Row, n: number) => ReadonlyArray<RowError> = () => []) =>
  (request: Row, n: number) => {
    const failed = errors(request, n)
    const results = rowsOf(request).map((row, i) =>
      failed.some((e) => e.index === i) ? {} : { order_id: row.order_id, conversion_action: row.conversion_action }
    )
    return {
      ...(failed.length === 0
        ? {}
        : {
            partial_failure_error: partialFailureStatus(
              new lib.errors.GoogleAdsFailure({
                errors: failed.map((e) => ({
                  error_code: e.error_code,
                  message: "from Google",
                  ...(e.index === undefined
                    ? {}
                    : {
                        location: {
                          field_path_elements: [
                            { field_name: e.field ?? "conversions", index: e.index },
                            { field_name: "gclid" }
                          ]
                        }
                      })
                })),
                request_id: "rq-1"
              })
            )
          }),
      results,
      job_id: 7 + n
    }
  }

const throwing = (error: unknown) => () => {
  throw error
}

const delivered = (outcome: ItemOutcome | undefined): Extract<ChannelResult, { _tag: "Delivered" }> => {
  if (outcome === undefined || Either.isLeft(outcome) || outcome.right._tag !== "Delivered") {
    throw new Error(`expected Delivered, got ${JSON.stringify(outcome)}`)
  }
  return outcome.right
}
const failed = (outcome: ItemOutcome | undefined): ChannelError => {
  if (outcome === undefined || Either.isRight(outcome)) throw new Error(`expected a ChannelError, got ${outcome}`)
  return outcome.left
}
const recordedRows = (exchanges: ChannelResult["exchanges"]) =>
  rowsOf(JSON.parse(exchanges[0]?.request.body ?? "{}") as Row)

describe("Ads API sendBatch", () => {
  it.effect("a batch of 3 conversions is one call with the 3 in order, each recording its own row", () =>
    Effect.gen(function* () {
      const batch = conversions(3)
      const { outcomes, captured } = yield* sendAdsBatch(batch, answer())
      expect(captured).toHaveLength(1)
      expect(captured[0]!.method).toBe("ConversionUploadService.UploadClickConversions")
      expect(captured[0]!.request).toMatchObject({ customer_id: "1234567890", partial_failure: true })
      expect(orderIds(captured[0]!.request)).toEqual(["1", "2", "3"])
      expect(rowsOf(captured[0]!.request).map((row) => row.conversion_action)).toEqual([ACTION, ACTION, ACTION])
      expect(outcomes).toHaveLength(3)
      outcomes.forEach((outcome, i) => {
        const result = delivered(outcome)
        expect(result).toMatchObject({ dedupKey: String(i + 1), alreadyRecorded: false })
        expect(result.detail).toContain(`conversions[${i}] of 3 in one UploadClickConversions call`)
        expect(result.exchanges).toHaveLength(1)
        const [exchange] = result.exchanges
        // The call's request with this conversion only; the response with its own result.
        const recorded = JSON.parse(exchange!.request.body ?? "{}") as Row
        expect(recorded).toEqual({ ...captured[0]!.request, conversions: [rowsOf(captured[0]!.request)[i]] })
        expect(exchange!.request.headers).toEqual({
          "developer-token": "[redacted]",
          "login-customer-id": "5555555555"
        })
        expect(JSON.parse(exchange!.response?.body ?? "{}")).toEqual({
          results: [{ order_id: String(i + 1), conversion_action: ACTION }],
          job_id: 7
        })
        expect(JSON.stringify(result.exchanges)).not.toContain("dev-token-secret")
      })
    })
  )

  it.effect("a partial failure on conversions[1] fails only that one, with its own classification", () =>
    Effect.gen(function* () {
      // Placed at different times: each TooRecent retry is 6 hours after its own order.
      const now = new Date(Date.parse(PLACED_AT) + 60 * 60 * 1000)
      const batch = [0, -30, -45].map((minutes, i) =>
        dispatch(order(i + 1, { placedAt: new Date(Date.parse(PLACED_AT) + minutes * 60_000).toISOString() }), {
          target: adsTarget,
          now
        })
      )
      const { outcomes, captured } = yield* sendAdsBatch(
        batch,
        answer(() => [{ error_code: { conversion_upload_error: upload.TOO_RECENT_EVENT }, index: 1 }])
      )
      expect(captured).toHaveLength(1)
      expect(orderIds(captured[0]!.request)).toEqual(["1", "2", "3"])
      const error = failed(outcomes[1])
      expect(error).toMatchObject({ reason: "TooRecent", retryable: true })
      expect(error.retryAt?.toISOString()).toBe(new Date(Date.parse(PLACED_AT) + (6 * 60 - 30) * 60_000).toISOString())
      expect(error.detail).toContain("conversion_upload_error.TOO_RECENT_EVENT: from Google")
      expect(error.detail).toContain("conversions[1] of 3")
      expect(recordedRows(error.exchanges).map((row) => row.order_id)).toEqual(["2"])
      const response = JSON.parse(error.exchanges[0]!.response?.body ?? "{}") as Row
      expect(response.results).toEqual([{}])
      expect(response.partial_failure_errors).toEqual([
        { family: "conversion_upload_error", code: "TOO_RECENT_EVENT", message: "from Google", index: 1 }
      ])
      for (const i of [0, 2]) {
        const result = delivered(outcomes[i])
        expect(result.alreadyRecorded).toBe(false)
        expect(result.exchanges[0]!.response?.body).not.toContain("TOO_RECENT_EVENT")
      }
    })
  )

  it.effect("the failures of several rows each go to their own row", () =>
    Effect.gen(function* () {
      const { outcomes } = yield* sendAdsBatch(
        conversions(4),
        answer(() => [
          { error_code: { conversion_upload_error: upload.UNPARSEABLE_GCLID }, index: 3 },
          { error_code: { conversion_upload_error: upload.EXPIRED_EVENT }, index: 0 }
        ])
      )
      expect(failed(outcomes[0])).toMatchObject({ reason: "Expired", retryable: false })
      expect(failed(outcomes[0]).detail).not.toContain("UNPARSEABLE_GCLID")
      expect(failed(outcomes[3])).toMatchObject({ reason: "InvalidPayload", retryable: false })
      expect(failed(outcomes[3]).detail).not.toContain("EXPIRED_EVENT")
      expect(delivered(outcomes[1]).alreadyRecorded).toBe(false)
      expect(delivered(outcomes[2]).alreadyRecorded).toBe(false)
    })
  )

  it.effect("ORDER_ID_ALREADY_IN_USE on one row: that one is Delivered alreadyRecorded, the others plainly", () =>
    Effect.gen(function* () {
      const { outcomes } = yield* sendAdsBatch(
        conversions(3),
        answer(() => [{ error_code: { conversion_upload_error: upload.ORDER_ID_ALREADY_IN_USE }, index: 2 }])
      )
      expect(outcomes.map((o) => delivered(o).alreadyRecorded)).toEqual([false, false, true])
      expect(delivered(outcomes[2]).detail).toContain("ORDER_ID_ALREADY_IN_USE")
      expect(delivered(outcomes[2]).dedupKey).toBe("3")
    })
  )

  it.effect("a partial failure that names no row concerns every row without an error of its own", () =>
    Effect.gen(function* () {
      const { outcomes } = yield* sendAdsBatch(
        conversions(3),
        answer(() => [
          { error_code: { conversion_upload_error: upload.ORDER_ID_ALREADY_IN_USE }, index: 0 },
          { error_code: { internal_error: lib.errors.InternalErrorEnum.InternalError.INTERNAL_ERROR } }
        ])
      )
      expect(delivered(outcomes[0]).alreadyRecorded).toBe(true)
      for (const i of [1, 2]) expect(failed(outcomes[i])).toMatchObject({ reason: "ServerError", retryable: true })
    })
  )

  it.effect("a GoogleAdsFailure thrown for the call fails every row of it, with the same classification", () =>
    Effect.gen(function* () {
      const quota = new lib.errors.GoogleAdsFailure({
        errors: [
          {
            error_code: { quota_error: lib.errors.QuotaErrorEnum.QuotaError.RESOURCE_TEMPORARILY_EXHAUSTED },
            message: "slow down",
            details: { quota_error_details: { retry_delay: { seconds: 30 } } }
          }
        ],
        request_id: "rq-2"
      })
      const { outcomes, captured } = yield* sendAdsBatch(conversions(3), throwing(quota))
      expect(captured).toHaveLength(1)
      outcomes.forEach((outcome, i) => {
        const error = failed(outcome)
        expect(error).toMatchObject({ reason: "RateLimited", retryable: true, retryAfterMs: 30_000 })
        expect(error.detail).toContain("quota_error.RESOURCE_TEMPORARILY_EXHAUSTED: slow down")
        expect(error.exchanges[0]!.error).toContain("RESOURCE_TEMPORARILY_EXHAUSTED")
        expect(error.exchanges[0]!.response).toBeUndefined()
        expect(recordedRows(error.exchanges).map((row) => row.order_id)).toEqual([String(i + 1)])
      })
    })
  )

  it.effect("a transport failure (gRPC UNAVAILABLE) fails every row of the call, retryable", () =>
    Effect.gen(function* () {
      const unavailable = Object.assign(new Error("14 UNAVAILABLE: connection reset"), { code: 14 })
      const { outcomes } = yield* sendAdsBatch(conversions(2), throwing(unavailable))
      for (const outcome of outcomes) {
        const error = failed(outcome)
        expect(error).toMatchObject({ reason: "Transport", retryable: true })
        expect(error.exchanges[0]!.error).toBe("14 UNAVAILABLE: connection reset")
      }
    })
  )

  it.effect(
    "2,001 conversions go out as calls of 2,000 and 1, in order, each failure mapped within its call",
    () =>
      Effect.gen(function* () {
        const batch = conversions(2001)
        // The second call's conversions[0] is the batch's 2,001st.
        const { outcomes, captured } = yield* sendAdsBatch(
          batch,
          answer((request) =>
            orderIds(request)[0] === "2001"
              ? [{ error_code: { conversion_upload_error: upload.CLICK_NOT_FOUND }, index: 0 }]
              : [{ error_code: { conversion_upload_error: upload.CLICK_NOT_FOUND }, index: 1999 }]
          )
        )
        const calls = captured.map((c) => orderIds(c.request)).sort((a, b) => Number(a[0]) - Number(b[0]))
        expect(calls.map((ids) => ids.length)).toEqual([2000, 1])
        expect(calls.flat()).toEqual(batch.map((b) => b.order.platformOrderId))
        expect(outcomes).toHaveLength(2001)
        const failures = outcomes.flatMap((o, i) => (Either.isLeft(o) ? [i] : []))
        expect(failures).toEqual([1999, 2000])
        expect(failed(outcomes[1999])).toMatchObject({ reason: "Rejected", retryable: false })
        expect(failed(outcomes[2000]).detail).not.toContain("of 1 in one")
        expect(delivered(outcomes[0]).dedupKey).toBe("1")
        expect(delivered(outcomes[1998]).dedupKey).toBe("1999")
      }),
    30_000
  )

  it.effect("other customer ids, other targets and adjustments are separate calls; outcomes in input order", () =>
    Effect.gen(function* () {
      const other: GoogleAdsTarget = { ...adsTarget, id: "google-other", customerId: "1111111111" }
      const batch = [
        dispatch(order(1), { target: adsTarget }),
        dispatch(order(2), { target: other }),
        dispatch(order(3, { status: "refunded", refundedMinor: 4990 }), { target: adsTarget, kind: "retraction" }),
        dispatch(order(4), { target: adsTarget }),
        dispatch(order(5), { target: other })
      ]
      const { outcomes, captured } = yield* sendAdsBatch(batch, answer())
      const calls = captured.map((c) => ({
        method: c.method,
        customer: c.request.customer_id,
        ids: orderIds(c.request)
      }))
      expect(calls).toHaveLength(3)
      expect(calls).toEqual(
        expect.arrayContaining([
          { method: "ConversionUploadService.UploadClickConversions", customer: "1234567890", ids: ["1", "4"] },
          { method: "ConversionUploadService.UploadClickConversions", customer: "1111111111", ids: ["2", "5"] },
          {
            method: "ConversionAdjustmentUploadService.UploadConversionAdjustments",
            customer: "1234567890",
            ids: ["3"]
          }
        ])
      )
      expect(outcomes.map((o) => delivered(o).dedupKey)).toEqual(["1", "2", "3", "4", "5"])
      const second = rowsOf(captured.find((c) => c.request.customer_id === "1111111111")!.request)
      expect(second.map((row) => row.conversion_action)).toEqual([
        "customers/1111111111/conversionActions/987654321",
        "customers/1111111111/conversionActions/987654321"
      ])
    })
  )

  it.effect("adjustments are batched too, a partial failure mapped by conversion_adjustments[i]", () =>
    Effect.gen(function* () {
      const refunded = (i: number) => order(i, { status: "refunded", refundedMinor: 4990 })
      const batch = [
        dispatch(refunded(1), { target: adsTarget, kind: "retraction" }),
        dispatch(order(2, { status: "partially_refunded", refundedMinor: 2000 }), {
          target: adsTarget,
          kind: "restatement",
          valueMinor: 2990
        }),
        dispatch(refunded(3), { target: adsTarget, kind: "retraction" })
      ]
      const { outcomes, captured } = yield* sendAdsBatch(
        batch,
        answer(() => [
          {
            error_code: { conversion_adjustment_upload_error: adjustment.CONVERSION_ALREADY_RETRACTED },
            index: 0,
            field: "conversion_adjustments"
          },
          {
            error_code: { conversion_adjustment_upload_error: adjustment.CONVERSION_NOT_FOUND },
            index: 2,
            field: "conversion_adjustments"
          }
        ])
      )
      expect(captured).toHaveLength(1)
      expect(captured[0]!.method).toBe("ConversionAdjustmentUploadService.UploadConversionAdjustments")
      expect(captured[0]!.request).toMatchObject({ customer_id: "1234567890", partial_failure: true })
      expect(rowsOf(captured[0]!.request).map((row) => [row.order_id, row.adjustment_type])).toEqual([
        ["1", "RETRACTION"],
        ["2", "RESTATEMENT"],
        ["3", "RETRACTION"]
      ])
      expect(delivered(outcomes[0]).alreadyRecorded).toBe(true)
      expect(delivered(outcomes[1]).alreadyRecorded).toBe(false)
      expect(recordedRows(delivered(outcomes[1]).exchanges)).toEqual([rowsOf(captured[0]!.request)[1]])
      expect(failed(outcomes[2])).toMatchObject({ reason: "Rejected", retryable: false })
      expect(failed(outcomes[2]).detail).toContain("conversion_adjustments[2] of 3 in one UploadConversionAdjustments")
    })
  )

  it.effect("two dispatches of one order id never share a call: the later goes in a later call", () =>
    Effect.gen(function* () {
      const partly = order(1, { status: "partially_refunded", refundedMinor: 2000 })
      const batch = [
        dispatch(partly, { target: adsTarget, kind: "restatement", valueMinor: 2990 }),
        dispatch(order(2, { status: "refunded", refundedMinor: 4990 }), { target: adsTarget, kind: "retraction" }),
        dispatch(order(1, { status: "refunded", refundedMinor: 4990 }), { target: adsTarget, kind: "retraction" })
      ]
      const { outcomes, captured } = yield* sendAdsBatch(batch, answer())
      expect(captured.map((c) => rowsOf(c.request).map((row) => [row.order_id, row.adjustment_type]))).toEqual([
        [
          ["1", "RESTATEMENT"],
          ["2", "RETRACTION"]
        ],
        [["1", "RETRACTION"]]
      ])
      expect(outcomes.map((o) => delivered(o).dedupKey)).toEqual(["1", "2", "1"])
    })
  )

  it.effect("validateOnly: rows without an error are Skipped validated, a row with one gets its own outcome", () =>
    Effect.gen(function* () {
      const { outcomes, captured } = yield* sendAdsBatch(
        conversions(3, { target: { ...adsTarget, validateOnly: true } }),
        // validate_only answers no results, only errors.
        (request, n) => ({
          ...answer(() => [{ error_code: { conversion_upload_error: upload.UNPARSEABLE_GCLID }, index: 1 }])(
            request,
            n
          ),
          results: []
        })
      )
      expect(captured).toHaveLength(1)
      expect(captured[0]!.request.validate_only).toBe(true)
      for (const i of [0, 2]) {
        const outcome = outcomes[i]
        expect(outcome !== undefined && Either.isRight(outcome) && outcome.right).toMatchObject({
          _tag: "Skipped",
          reason: "validated"
        })
      }
      expect(failed(outcomes[1])).toMatchObject({ reason: "InvalidPayload", retryable: false })
    })
  )

  it.effect("skips and refusals decided before the call stay out of it", () =>
    Effect.gen(function* () {
      const { gclid: _g, ...noClick } = order(2).tracking
      const batch = [
        dispatch(order(1), { target: adsTarget }),
        // No click id and no usable identifiers: skipped.
        dispatch(order(2, { tracking: noClick, customer: {} }), { target: adsTarget }),
        dispatch(order(3), { target: adsTarget, kind: "status_change" }),
        dispatch(order(4), { target: adsTarget })
      ]
      const { outcomes, captured } = yield* sendAdsBatch(batch, answer())
      expect(captured.map((c) => orderIds(c.request))).toEqual([["1", "4"]])
      expect(delivered(outcomes[0]).dedupKey).toBe("1")
      expect(outcomes[1] !== undefined && Either.isRight(outcomes[1]) && outcomes[1].right).toMatchObject({
        _tag: "Skipped",
        reason: "missing_identifiers"
      })
      expect(outcomes[2] !== undefined && Either.isRight(outcomes[2]) && outcomes[2].right).toMatchObject({
        _tag: "Skipped",
        reason: "unsupported"
      })
      expect(delivered(outcomes[3]).dedupKey).toBe("4")
    })
  )
})
