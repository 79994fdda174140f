// Data Manager API error -> ChannelError classification, from the google.rpc.Status body: the
// canonical code first, then the ErrorInfo / BadRequest reasons (ErrorReason enum) for the cases that
// need a person to change the target or the Google Ads account.
//   401 UNAUTHENTICATED                       -> Unauthorized (the caller retries once with a fresh token)
//   403 PERMISSION_DENIED                     -> Unauthorized, permanent
//   404 NOT_FOUND, INVALID_CONVERSION_ACTION_*, INVALID_DESTINATION, DESTINATION_ACCOUNT_*,
//       TERMS_AND_CONDITIONS_NOT_SIGNED        -> Configuration, permanent
//   400 INVALID_ARGUMENT / FAILED_PRECONDITION -> InvalidPayload, permanent (the whole request failed)
//   429 RESOURCE_EXHAUSTED                    -> RateLimited, retried after RetryInfo / Retry-After
//   408, 504 DEADLINE_EXCEEDED                -> Timeout, retried
//   5xx INTERNAL / UNAVAILABLE                -> ServerError, retried
// A DUPLICATE_TRANSACTION_ID reason counts as already recorded. The API documents repeats of a
// transactionId as adjustments rather than errors, so this is defensive.
import { Either, Schema } from "effect"
import type { FailureReason } from "../../../../events/dispatch.js"
import { parseJson } from "../../../../lib/json.js"
import { classifyStatus } from "../../../http.js"
import { BadRequest, ErrorInfo, RequestInfo, RetryInfo, RpcStatusBody } from "./wire.js"

export type DmClassified =
  | { readonly _tag: "AlreadyRecorded"; readonly detail: string }
  | {
      readonly _tag: "Error"
      readonly reason: FailureReason
      readonly retryable: boolean
      readonly detail: string
      readonly retryAfterMs?: number
    }

const CONFIGURATION_REASONS = new Set([
  "INVALID_CONVERSION_ACTION_ID",
  "INVALID_CONVERSION_ACTION_TYPE",
  "INVALID_DESTINATION",
  "DESTINATION_ACCOUNT_NOT_ENABLED_ENHANCED_CONVERSIONS_FOR_LEADS",
  "DESTINATION_ACCOUNT_ENHANCED_CONVERSIONS_TERMS_NOT_SIGNED",
  "DESTINATION_ACCOUNT_DATA_POLICY_PROHIBITS_ENHANCED_CONVERSIONS",
  "TERMS_AND_CONDITIONS_NOT_SIGNED"
])

const decodeAs = <A, I>(schema: Schema.Schema<A, I>, value: unknown): A | undefined => {
  const result = Schema.decodeUnknownEither(schema)(value)
  return Either.isRight(result) ? result.right : undefined
}

/** "30s" / "1.5s" -> ms. */
const durationMs = (text: string | undefined) => {
  const match = text === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(text)
  return match ? Math.round(Number(match[1]) * 1000) : undefined
}

const byCanonical = (canonical: string | undefined, status: number) => {
  switch (canonical) {
    case "UNAUTHENTICATED":
    case "PERMISSION_DENIED":
      return { reason: "Unauthorized" as const, retryable: false }
    case "NOT_FOUND":
      return { reason: "Configuration" as const, retryable: false }
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
      return { reason: "InvalidPayload" as const, retryable: false }
    case "RESOURCE_EXHAUSTED":
      return { reason: "RateLimited" as const, retryable: true }
    case "DEADLINE_EXCEEDED":
      return { reason: "Timeout" as const, retryable: true }
    case "INTERNAL":
    case "UNAVAILABLE":
    case "ABORTED":
      return { reason: "ServerError" as const, retryable: true }
    default:
      if (status === 404) return { reason: "Configuration" as const, retryable: false }
      if (status === 403) return { reason: "Unauthorized" as const, retryable: false }
      return classifyStatus(status) ?? { reason: "Rejected" as const, retryable: false }
  }
}

export const classifyDataManager = (status: number, body: string, retryAfter: number | undefined): DmClassified => {
  const parsed = parseJson(body)
  const rpc = parsed.ok ? decodeAs(RpcStatusBody, parsed.value)?.error : undefined
  const details = rpc?.details ?? []
  const infos = details.flatMap((d) => decodeAs(ErrorInfo, d) ?? [])
  const violations = details.flatMap((d) => decodeAs(BadRequest, d)?.fieldViolations ?? [])
  const retryInfo = details.flatMap((d) => decodeAs(RetryInfo, d) ?? [])[0]
  const requestId = details.flatMap((d) => decodeAs(RequestInfo, d) ?? [])[0]?.requestId
  const reasons = [...infos.map((i) => i.reason), ...violations.map((v) => v.reason)].filter(
    (r): r is string => r !== undefined
  )
  const fields = violations.map(
    (v) => `${v.field ?? "?"}${v.reason ? ` ${v.reason}` : ""}${v.description ? `: ${v.description}` : ""}`
  )
  const quota = infos.map((i) => i.metadata?.quota_limit).find((q) => q !== undefined)
  const detail = [
    `${rpc?.status ?? `HTTP ${status}`}: ${rpc?.message ?? body.slice(0, 200)}`,
    ...(reasons.length > 0 ? [`reasons ${[...new Set(reasons)].join(", ")}`] : []),
    ...(fields.length > 0 ? [`fields ${fields.join("; ")}`] : []),
    ...(quota ? [`quota ${quota}`] : []),
    ...(requestId ? [`requestId ${requestId}`] : [])
  ].join("; ")

  if (reasons.some((r) => r.includes("DUPLICATE_TRANSACTION_ID"))) return { _tag: "AlreadyRecorded", detail }
  const configuration = reasons.find((r) => CONFIGURATION_REASONS.has(r))
  const classified =
    configuration === undefined
      ? byCanonical(rpc?.status, status)
      : { reason: "Configuration" as const, retryable: false }
  const hint =
    classified.reason === "Unauthorized" && status === 403
      ? "; the credential's Google account needs access to the Ads account and the datamanager scope"
      : configuration === undefined
        ? ""
        : "; fix the target (customerId / conversionActionId) or the Google Ads account settings"
  const wait = durationMs(retryInfo?.retryDelay) ?? retryAfter
  return {
    _tag: "Error",
    ...classified,
    detail: detail + hint,
    ...(classified.reason === "RateLimited" && wait !== undefined ? { retryAfterMs: wait } : {})
  }
}
