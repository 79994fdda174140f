// Google Ads API failures -> outcomes. Errors arrive two ways: a GoogleAdsFailure thrown for the
// whole call (auth, quota, allowlisting), or inside partial_failure_error for the row. Both are
// normalized to (family, code) pairs: `conversion_upload_error` / `TOO_RECENT_EVENT` etc., with the
// index of the row they concern when their location names one (`conversions[i]`,
// `conversion_adjustments[i]`): that is how a partial failure is mapped back to one dispatch of a call.
import type { errors } from "google-ads-api"
import type { FailureReason } from "../../../../events/dispatch.js"
import type { AdsLib } from "./request.js"

export interface AdsError {
  /** The GoogleAdsError.error_code oneof member, e.g. "conversion_upload_error". */
  readonly family: string
  /** The enum name, e.g. "TOO_RECENT_EVENT". */
  readonly code: string
  readonly message: string
  readonly retryDelayMs?: number
  /** The row of the request the error is about (location.field_path_elements: conversions[i]), if any. */
  readonly index?: number
}

export type AdsOutcome =
  | { readonly _tag: "AlreadyRecorded"; readonly detail: string }
  | {
      readonly _tag: "Error"
      readonly reason: FailureReason
      readonly retryable: boolean
      readonly detail: string
      readonly retryAt?: Date
      readonly retryAfterMs?: number
    }

interface FailureObject {
  readonly errors?: ReadonlyArray<{
    readonly error_code?: Record<string, unknown>
    readonly message?: string
    readonly location?: {
      readonly field_path_elements?: ReadonlyArray<{ readonly field_name?: string; readonly index?: number }>
    }
    readonly details?: {
      readonly quota_error_details?: { readonly retry_delay?: { readonly seconds?: string | number } }
    }
  }>
}

/** The request's repeated fields whose elements are the rows of a call. */
const ROW_FIELDS = new Set(["conversions", "conversion_adjustments"])

export const failureErrors = (lib: AdsLib, failure: errors.GoogleAdsFailure): ReadonlyArray<AdsError> => {
  const plain = lib.errors.GoogleAdsFailure.toObject(failure, { enums: String, longs: String }) as FailureObject
  return (plain.errors ?? []).map((e) => {
    const [family, code] = Object.entries(e.error_code ?? {})[0] ?? ["unknown", "UNKNOWN"]
    const seconds = e.details?.quota_error_details?.retry_delay?.seconds
    const index = (e.location?.field_path_elements ?? []).find(
      (element) => ROW_FIELDS.has(element.field_name ?? "") && typeof element.index === "number"
    )?.index
    return {
      family,
      code: String(code),
      message: e.message ?? "",
      ...(seconds === undefined ? {} : { retryDelayMs: Number(seconds) * 1000 }),
      ...(index === undefined ? {} : { index })
    }
  })
}

/** Decodes partial_failure_error.details[] (GoogleAdsFailure bytes); the library leaves them raw for uploads. */
export const partialFailureErrors = (lib: AdsLib, response: unknown): ReadonlyArray<AdsError> => {
  const status = (response as { partial_failure_error?: { message?: string; details?: ReadonlyArray<unknown> } } | null)
    ?.partial_failure_error
  if (!status) return []
  const decoded = (status.details ?? []).flatMap((detail) => {
    const d = detail as { type_url?: string; value?: Uint8Array }
    if (!d.type_url?.includes("errors.GoogleAdsFailure") || d.value === undefined) return []
    return failureErrors(lib, lib.errors.GoogleAdsFailure.decode(d.value))
  })
  return decoded.length > 0
    ? decoded
    : [{ family: "partial_failure", code: "UNDECODED", message: status.message ?? "" }]
}

const ALREADY_RECORDED = new Set([
  "ORDER_ID_ALREADY_IN_USE",
  "CLICK_CONVERSION_ALREADY_EXISTS",
  "CONVERSION_ALREADY_RETRACTED",
  "RESTATEMENT_ALREADY_EXISTS",
  // A newer adjustment of this conversion was already reported: ours is superseded, not lost.
  "MORE_RECENT_RESTATEMENT_FOUND"
])
const CONFIGURATION = new Set([
  "NO_CONVERSION_ACTION_FOUND",
  "INVALID_CONVERSION_ACTION_TYPE",
  "UNAUTHORIZED_CUSTOMER",
  "CUSTOMER_NOT_ACCEPTED_CUSTOMER_DATA_TERMS",
  "CUSTOMER_NOT_ENABLED_ENHANCED_CONVERSIONS_FOR_LEADS",
  "CUSTOMER_DATA_POLICY_PROHIBITS_ENHANCED_CONVERSIONS",
  "CUSTOM_VARIABLE_NOT_ENABLED",
  "ORDER_ID_NOT_PERMITTED_FOR_EXTERNALLY_ATTRIBUTED_CONVERSION_ACTION",
  "CANNOT_RESTATE_CONVERSION_ACTION_THAT_ALWAYS_USES_DEFAULT_CONVERSION_VALUE"
])
const NOT_MATCHED = new Set([
  "CLICK_NOT_FOUND",
  "EVENT_NOT_FOUND",
  "INVALID_CUSTOMER_FOR_CLICK",
  "CONVERSION_NOT_FOUND"
])

export interface AdsContext {
  readonly now: Date
  /** TOO_RECENT_EVENT: when the click is 6 hours old. */
  readonly clickRetryAt: Date
  /** TOO_RECENT_CONVERSION (adjustments): 24 hours after the conversion. */
  readonly conversionRetryAt: Date
}

const HOURS = 60 * 60 * 1000

export const classifyAdsErrors = (errors: ReadonlyArray<AdsError>, ctx: AdsContext): AdsOutcome => {
  const detail = errors.map((e) => `${e.family}.${e.code}${e.message ? `: ${e.message}` : ""}`).join("; ")
  const first = errors[0]
  if (first === undefined) return { _tag: "Error", reason: "Rejected", retryable: false, detail: "empty failure" }
  const { family, code } = first
  const error = (
    reason: FailureReason,
    retryable: boolean,
    extra: Partial<{ retryAt: Date; retryAfterMs: number; hint: string }> = {}
  ) =>
    ({
      _tag: "Error",
      reason,
      retryable,
      detail: extra.hint ? `${detail}; ${extra.hint}` : detail,
      ...(extra.retryAt === undefined ? {} : { retryAt: extra.retryAt }),
      ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs })
    }) satisfies AdsOutcome

  if (ALREADY_RECORDED.has(code)) return { _tag: "AlreadyRecorded", detail }
  if (code === "CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE") {
    return error("Rejected", false, {
      hint: "this account may no longer upload click conversions through the Google Ads API: set api: data-manager on the target"
    })
  }
  if (code === "TOO_RECENT_EVENT" || code === "TOO_RECENT_CLICK")
    return error("TooRecent", true, { retryAt: ctx.clickRetryAt })
  if (code === "TOO_RECENT_CONVERSION_ACTION") {
    return error("TooRecent", true, { retryAt: new Date(ctx.now.getTime() + 6 * HOURS) })
  }
  if (code === "TOO_RECENT_CONVERSION") return error("TooRecent", true, { retryAt: ctx.conversionRetryAt })
  if (code === "EXPIRED_EVENT" || code === "EXPIRED_CLICK" || code === "CONVERSION_EXPIRED")
    return error("Expired", false)
  if (CONFIGURATION.has(code)) return error("Configuration", false)
  if (NOT_MATCHED.has(code)) return error("Rejected", false)
  switch (family) {
    case "authentication_error":
    case "authorization_error":
      return error("Unauthorized", false)
    case "quota_error":
      return error("RateLimited", true, first.retryDelayMs === undefined ? {} : { retryAfterMs: first.retryDelayMs })
    case "internal_error":
      return error("ServerError", true)
    case "conversion_upload_error":
    case "conversion_adjustment_upload_error":
    case "request_error":
    case "field_error":
    case "header_error":
      return error("InvalidPayload", false)
    default:
      return error("Rejected", false)
  }
}

/** gRPC status codes of errors that carry no GoogleAdsFailure (transport, deadline, auth plumbing). */
export const classifyThrown = (thrown: unknown): AdsOutcome => {
  const e = thrown as { code?: unknown; message?: string; response?: { data?: { error?: string } } }
  const message = e?.message ?? String(thrown)
  const oauth = e?.response?.data?.error
  if (typeof oauth === "string") {
    return { _tag: "Error", reason: "Unauthorized", retryable: false, detail: `OAuth refresh failed: ${oauth}` }
  }
  const byCode: Record<number, readonly [FailureReason, boolean]> = {
    2: ["ServerError", true],
    3: ["InvalidPayload", false],
    4: ["Timeout", true],
    7: ["Unauthorized", false],
    8: ["RateLimited", true],
    13: ["ServerError", true],
    14: ["Transport", true],
    16: ["Unauthorized", false]
  }
  const [reason, retryable] = (typeof e?.code === "number" ? byCode[e.code] : undefined) ?? ["Transport", true]
  return { _tag: "Error", reason, retryable, detail: message }
}
