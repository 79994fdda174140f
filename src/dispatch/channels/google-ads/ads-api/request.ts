// Google Ads API request objects (ConversionUploadService.UploadClickConversions and
// ConversionAdjustmentUploadService.UploadConversionAdjustments), built with google-ads-api's
// generated protobuf classes so enum values and field names are the library's own. One call carries
// the rows (conversions or adjustments) of many dispatches of one target, up to ADS_MAX_ROWS.
import type { common, services } from "google-ads-api"
import type { GoogleAdsTarget } from "../../../../events/configSchema.js"
import { REDACTED } from "../../../http.js"
import type { ConsentChoice, GoogleConversion, GoogleMatch } from "../plan.js"

export type AdsLib = typeof import("google-ads-api")

/** Rows per UploadClickConversions / UploadConversionAdjustments request (more: TOO_MANY_CONVERSIONS_IN_REQUEST). */
export const ADS_MAX_ROWS = 2_000

export type AdsCall =
  | { readonly rpc: "UploadClickConversions"; readonly request: services.UploadClickConversionsRequest }
  | { readonly rpc: "UploadConversionAdjustments"; readonly request: services.UploadConversionAdjustmentsRequest }

/**
 * `yyyy-mm-dd hh:mm:ss+hh:mm` in the account's time zone, as conversion_date_time and
 * adjustment_date_time require (the offset is mandatory). Throws RangeError for an unknown zone.
 */
export const adsDateTime = (date: Date, timeZone: string): string => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23"
  }).formatToParts(date)
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "00"
  const [y, mo, d, h, mi, s] = [get("year"), get("month"), get("day"), get("hour"), get("minute"), get("second")]
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  const offsetMinutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000)
  const sign = offsetMinutes < 0 ? "-" : "+"
  const abs = Math.abs(offsetMinutes)
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`
  return `${y}-${mo}-${d} ${h}:${mi}:${s}${offset}`
}

export const conversionActionResource = (target: GoogleAdsTarget) =>
  `customers/${target.customerId}/conversionActions/${target.conversionActionId}`

const consentStatus = (lib: AdsLib, choice: ConsentChoice) =>
  choice === "granted"
    ? lib.enums.ConsentStatus.GRANTED
    : choice === "denied"
      ? lib.enums.ConsentStatus.DENIED
      : lib.enums.ConsentStatus.UNSPECIFIED

/** One row of UploadClickConversions: the conversion with its click id, hashes and consent. */
export const clickConversion = (
  lib: AdsLib,
  target: GoogleAdsTarget,
  conversion: GoogleConversion,
  match: GoogleMatch,
  timeZone: string
): services.ClickConversion => {
  const identifiers: Array<common.UserIdentifier> = [
    ...(match.identifiers.email === undefined
      ? []
      : [new lib.common.UserIdentifier({ hashed_email: match.identifiers.email })]),
    ...(match.identifiers.phone === undefined
      ? []
      : [new lib.common.UserIdentifier({ hashed_phone_number: match.identifiers.phone })])
  ]
  const click = match.click
  return new lib.services.ClickConversion({
    ...(click === undefined ? {} : { [click.kind]: click.value }),
    conversion_action: conversionActionResource(target),
    conversion_date_time: adsDateTime(conversion.conversionTime, timeZone),
    conversion_value: conversion.value,
    currency_code: conversion.currency,
    order_id: conversion.transactionId,
    ...(identifiers.length === 0 ? {} : { user_identifiers: identifiers }),
    // ad_personalization can only be set for Customer Match services, not click conversions.
    consent: new lib.common.Consent({ ad_user_data: consentStatus(lib, match.consent.adUserData) })
  })
}

/**
 * RETRACTION (full refund / cancellation) or RESTATEMENT (partial refund: the new total), keyed by the
 * original order_id. adjustment_date_time must be after the conversion and newer than any earlier
 * restatement; the dispatch time is both.
 */
export const conversionAdjustment = (
  lib: AdsLib,
  target: GoogleAdsTarget,
  kind: "retraction" | "restatement",
  conversion: GoogleConversion,
  adjustedAt: Date,
  timeZone: string
): services.ConversionAdjustment =>
  new lib.services.ConversionAdjustment({
    order_id: conversion.transactionId,
    conversion_action: conversionActionResource(target),
    adjustment_date_time: adsDateTime(adjustedAt, timeZone),
    adjustment_type:
      kind === "retraction"
        ? lib.enums.ConversionAdjustmentType.RETRACTION
        : lib.enums.ConversionAdjustmentType.RESTATEMENT,
    // Required for RESTATEMENT, refused for RETRACTION.
    ...(kind === "restatement"
      ? {
          restatement_value: new lib.services.RestatementValue({
            adjusted_value: conversion.value,
            currency_code: conversion.currency
          })
        }
      : {})
  })

/** Up to ADS_MAX_ROWS click conversions of one target in one request, in the order given. */
export const buildClickConversionRequest = (
  lib: AdsLib,
  target: GoogleAdsTarget,
  conversions: ReadonlyArray<services.ClickConversion>
): services.UploadClickConversionsRequest =>
  new lib.services.UploadClickConversionsRequest({
    customer_id: target.customerId,
    // Google: "should always be set to true"; without it one bad row fails the call as an RPC error.
    partial_failure: true,
    ...(target.validateOnly === true ? { validate_only: true } : {}),
    conversions: [...conversions]
  })

/** Up to ADS_MAX_ROWS adjustments of one target in one request, in the order given. */
export const buildAdjustmentRequest = (
  lib: AdsLib,
  target: GoogleAdsTarget,
  adjustments: ReadonlyArray<services.ConversionAdjustment>
): services.UploadConversionAdjustmentsRequest =>
  new lib.services.UploadConversionAdjustmentsRequest({
    customer_id: target.customerId,
    partial_failure: true,
    ...(target.validateOnly === true ? { validate_only: true } : {}),
    conversion_adjustments: [...adjustments]
  })

/** The account's time zone conversion and adjustment times are written in: the target's, else UTC. */
export const adsTimeZone = (target: GoogleAdsTarget) => target.timeZone ?? "UTC"

/** What one dispatch contributes to a call: a click conversion (with its match data) or an adjustment. */
export type AdsRow =
  | { readonly kind: "conversion"; readonly conversion: GoogleConversion; readonly match: GoogleMatch }
  | {
      readonly kind: "retraction" | "restatement"
      readonly conversion: GoogleConversion
      /** adjustment_date_time: the dispatch time. */
      readonly adjustedAt: Date
    }

/** The repeated field of a call's request that holds the rows (and that partial failures index). */
export const rowsField = (rpc: AdsCall["rpc"]) =>
  rpc === "UploadClickConversions" ? "conversions" : "conversion_adjustments"

/**
 * One call for many rows of one target, all of one rpc, in the order given (row i is the request's
 * rows field [i], which partial failures name). Google takes up to ADS_MAX_ROWS per request. Throws
 * RangeError when the target's time zone is unknown (callers check it first), and an Error for rows
 * of both rpcs (callers group them apart).
 */
export const adsBatchCall = (lib: AdsLib, target: GoogleAdsTarget, rows: ReadonlyArray<AdsRow>): AdsCall => {
  const timeZone = adsTimeZone(target)
  const conversions = rows[0]?.kind === "conversion"
  if (rows.some((row) => (row.kind === "conversion") !== conversions)) {
    throw new Error("adsBatchCall: conversions and adjustments go in separate calls")
  }
  return conversions
    ? {
        rpc: "UploadClickConversions",
        request: buildClickConversionRequest(
          lib,
          target,
          rows.flatMap((row) =>
            row.kind === "conversion" ? [clickConversion(lib, target, row.conversion, row.match, timeZone)] : []
          )
        )
      }
    : {
        rpc: "UploadConversionAdjustments",
        request: buildAdjustmentRequest(
          lib,
          target,
          rows.flatMap((row) =>
            row.kind === "conversion"
              ? []
              : [conversionAdjustment(lib, target, row.kind, row.conversion, row.adjustedAt, timeZone)]
          )
        )
      }
}

/**
 * The call for one dispatch: a click conversion (with its match data) or an adjustment dated `now`.
 * Throws RangeError when the target's time zone is unknown (callers check it first).
 */
export const adsCall = (
  lib: AdsLib,
  target: GoogleAdsTarget,
  conversion: GoogleConversion,
  now: Date,
  of: { readonly kind: "conversion"; readonly match: GoogleMatch } | { readonly kind: "retraction" | "restatement" }
): AdsCall =>
  adsBatchCall(lib, target, [
    of.kind === "conversion"
      ? { kind: "conversion", conversion, match: of.match }
      : { kind: of.kind, conversion, adjustedAt: now }
  ])

/** The gRPC method a call goes to, as recorded: grpc://googleads.googleapis.com/{package}.{Service}/{Rpc}. */
const grpcUrl = (call: AdsCall) => {
  // type.googleapis.com/google.ads.googleads.v24.services.UploadClickConversionsRequest
  const typeUrl = (call.request.constructor as { getTypeUrl?: () => string }).getTypeUrl?.() ?? ""
  const pkg = typeUrl.replace(/^.*\//, "").replace(/\.[A-Za-z]+Request$/, "")
  const service =
    call.rpc === "UploadClickConversions" ? "ConversionUploadService" : "ConversionAdjustmentUploadService"
  return `grpc://googleads.googleapis.com/${pkg}.${service}/${call.rpc}`
}

/**
 * A call as DispatchAttempted records it and a re-dispatch dry run shows it: the request as sent
 * (hashed identifiers only), the developer token redacted.
 */
export const recordedAdsRequest = (target: GoogleAdsTarget, call: AdsCall) => ({
  method: "POST",
  url: grpcUrl(call),
  headers: {
    "developer-token": REDACTED,
    ...(target.loginCustomerId === undefined ? {} : { "login-customer-id": target.loginCustomerId })
  },
  body: JSON.stringify(call.request)
})

/**
 * The request of a call of many rows as each row records it: the call's request with only that row
 * in its rows field (as the Data Manager batch records its events), so a call of 2,000 conversions is
 * never recorded 2,000 times. For a call of one row it is `recordedAdsRequest` exactly.
 */
export const recordedAdsRequestViews = (target: GoogleAdsTarget, call: AdsCall) => {
  const whole = recordedAdsRequest(target, call)
  const field = rowsField(call.rpc)
  const plain = JSON.parse(whole.body) as Record<string, unknown>
  const rows = Array.isArray(plain[field]) ? (plain[field] as ReadonlyArray<unknown>) : []
  return rows.length === 1
    ? [whole]
    : rows.map((row) => ({ ...whole, body: JSON.stringify({ ...plain, [field]: [row] }) }))
}
