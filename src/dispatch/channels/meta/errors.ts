// Graph API error -> ChannelError classification. The Graph error code decides, the HTTP status only
// when the body carries none (a proxy's 502, an HTML error page).
//   1, 2 (API unknown / service), is_transient      -> ServerError, retried
//   4, 17, 32, 341, 613 (throttling) and HTTP 429    -> RateLimited, retried (Retry-After honoured)
//   190 (access token invalid or expired)            -> Unauthorized, permanent
//   10, 200-299 (permissions)                        -> Unauthorized, permanent
//   100 (invalid parameter)                          -> InvalidPayload, permanent
//   368 (temporarily blocked for policy)             -> Rejected, permanent (a person must look)
//   any HTTP 5xx                                     -> ServerError, retried
import { Either, Schema } from "effect"
import type { FailureReason } from "../../../events/dispatch.js"
import { parseJson } from "../../../lib/json.js"
import { classifyStatus } from "../../http.js"
import { type GraphError, GraphErrorResponse } from "./wire.js"

export interface Classified {
  readonly reason: FailureReason
  readonly retryable: boolean
  readonly detail: string
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613])
const TRANSIENT_CODES = new Set([1, 2])

export const parseGraphError = (body: string): GraphError | undefined => {
  const parsed = parseJson(body)
  if (!parsed.ok) return undefined
  const decoded = Schema.decodeUnknownEither(GraphErrorResponse)(parsed.value)
  return Either.isRight(decoded) ? decoded.right.error : undefined
}

const describe = (error: GraphError): string => {
  const code =
    error.code === undefined ? "" : ` (code ${error.code}${error.error_subcode ? `/${error.error_subcode}` : ""})`
  const text = [error.message, error.error_user_title, error.error_user_msg].filter(Boolean).join(" | ")
  const trace = error.fbtrace_id ? ` [fbtrace_id ${error.fbtrace_id}]` : ""
  return `${text || "Graph API error"}${code}${trace}`
}

export const classifyGraphCode = (code: number | undefined, isTransient: boolean | undefined, status: number) => {
  const fallback = classifyStatus(status) ?? { reason: "Rejected" as const, retryable: false }
  if (code === undefined) return fallback
  if (RATE_LIMIT_CODES.has(code)) return { reason: "RateLimited" as const, retryable: true }
  if (TRANSIENT_CODES.has(code) || isTransient === true) return { reason: "ServerError" as const, retryable: true }
  if (code === 190 || code === 10 || (code >= 200 && code <= 299)) {
    return { reason: "Unauthorized" as const, retryable: false }
  }
  if (code === 100) return { reason: "InvalidPayload" as const, retryable: false }
  if (code === 368) return { reason: "Rejected" as const, retryable: false }
  return fallback
}

export const classifyGraphResponse = (status: number, body: string): Classified => {
  const error = parseGraphError(body)
  if (error === undefined) {
    const byStatus = classifyStatus(status) ?? { reason: "Rejected" as const, retryable: false }
    return { ...byStatus, detail: `HTTP ${status} without a Graph error body: ${body.slice(0, 200)}` }
  }
  const byCode = classifyGraphCode(error.code, error.is_transient, status)
  // A 5xx is Meta's own failure whatever code it carries: retried.
  const { reason, retryable } =
    status >= 500 && !byCode.retryable ? { reason: "ServerError" as const, retryable: true } : byCode
  const hint =
    reason === "Unauthorized" && error.code === 190
      ? "; the access token is invalid or expired: generate a new one in Events Manager"
      : reason === "Unauthorized"
        ? "; the token lacks permission for this pixel"
        : ""
  return { reason, retryable, detail: `${describe(error)}${hint}` }
}
