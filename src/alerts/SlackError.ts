// Everything @slack/web-api can throw, as one typed error whose `retryable` the job system acts on.
// Slack answers almost everything with HTTP 200 and `{ok: false, error: "<code>"}`; the code decides:
//   ratelimited, HTTP 429 (Retry-After honoured)                 -> RateLimited, retried
//   invalid_auth, not_authed, account_inactive, token_revoked...  -> Unauthorized, permanent
//   channel_not_found, not_in_channel, is_archived                -> ChannelNotFound, permanent
//   invalid_blocks, msg_too_long, no_text, invalid_arguments...   -> InvalidPayload, permanent
//   internal_error, fatal_error, service_unavailable, HTTP 5xx    -> ServerError, retried
//   network failure, timeout                                      -> Transport, retried
// An unknown platform code is permanent: Slack understood the request and said no.
import { Data, Predicate } from "effect"

export type SlackErrorReason =
  | "RateLimited"
  | "Unauthorized"
  | "ChannelNotFound"
  | "InvalidPayload"
  | "Transport"
  | "ServerError"

export class SlackError extends Data.TaggedError("SlackError")<{
  readonly reason: SlackErrorReason
  readonly retryable: boolean
  /** Server-requested delay (Retry-After) in milliseconds. */
  readonly retryAfterMs?: number | undefined
  /** A sentence for the operator; never the token. */
  readonly detail: string
  /** The platform error code (`channel_not_found`) or HTTP status, when there was one. */
  readonly code?: string | undefined
}> {
  override get message() {
    return `Slack: ${this.reason}: ${this.detail}`
  }
}

const PLATFORM: ReadonlyArray<readonly [SlackErrorReason, ReadonlyArray<string>]> = [
  ["RateLimited", ["ratelimited", "rate_limited", "message_limit_exceeded"]],
  [
    "Unauthorized",
    [
      "invalid_auth",
      "not_authed",
      "account_inactive",
      "token_revoked",
      "token_expired",
      "no_permission",
      "missing_scope",
      "not_allowed_token_type",
      "team_access_not_granted",
      "ekm_access_denied",
      "restricted_action",
      "org_login_required"
    ]
  ],
  ["ChannelNotFound", ["channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"]],
  ["ServerError", ["internal_error", "fatal_error", "service_unavailable", "request_timeout"]]
]

const HINTS: Record<string, string> = {
  channel_not_found: "the channel does not exist, or the app cannot see it (invite it to private channels)",
  not_in_channel: "invite the app to the channel (/invite @app)",
  is_archived: "the channel is archived",
  invalid_auth: "the token in alerts.slack.token is not valid",
  not_authed: "no token was sent",
  token_revoked: "the token was revoked; install the app again and update the environment variable",
  account_inactive: "the token belongs to a deleted user or an uninstalled app",
  missing_scope: "the app needs the chat:write scope"
}

const reasonFor = (code: string): SlackErrorReason =>
  PLATFORM.find(([, codes]) => codes.includes(code))?.[0] ?? "InvalidPayload"

const RETRYABLE: ReadonlySet<SlackErrorReason> = new Set(["RateLimited", "ServerError", "Transport"])

/** A platform error from `{ok: false, error}`; `messages` are Slack's [ERROR] lines for invalid blocks. */
export const platformError = (code: string, messages: ReadonlyArray<string> = []): SlackError => {
  const reason = reasonFor(code)
  const hint = HINTS[code]
  const extra = messages.length === 0 ? "" : `: ${messages.slice(0, 3).join("; ").slice(0, 500)}`
  return new SlackError({
    reason,
    retryable: RETRYABLE.has(reason),
    code,
    detail: `Slack answered ${code}${hint === undefined ? "" : ` (${hint})`}${extra}`
  })
}

export const httpError = (status: number): SlackError =>
  status === 429
    ? new SlackError({
        reason: "RateLimited",
        retryable: true,
        code: "429",
        detail: "HTTP 429 without a usable Retry-After"
      })
    : status >= 500 || status === 408
      ? new SlackError({
          reason: "ServerError",
          retryable: true,
          code: String(status),
          detail: `HTTP ${status} from Slack`
        })
      : status === 401 || status === 403
        ? new SlackError({
            reason: "Unauthorized",
            retryable: false,
            code: String(status),
            detail: `HTTP ${status} from Slack`
          })
        : new SlackError({
            reason: "InvalidPayload",
            retryable: false,
            code: String(status),
            detail: `HTTP ${status} from Slack (is SLACK_API_URL right?)`
          })

type Shape = {
  readonly code?: unknown
  readonly data?: { readonly error?: unknown; readonly response_metadata?: { readonly messages?: unknown } }
  readonly statusCode?: unknown
  readonly retryAfter?: unknown
  readonly original?: {
    readonly name?: unknown
    readonly message?: unknown
    readonly cause?: { readonly code?: unknown }
  }
  readonly message?: unknown
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined)

/** Classifies an error thrown by WebClient (its errors carry a `code` like slack_webapi_platform_error). */
export const classifySlackError = (error: unknown): SlackError => {
  if (Predicate.isTagged(error, "SlackError")) return error as SlackError
  const e = (typeof error === "object" && error !== null ? error : {}) as Shape
  switch (e.code) {
    case "slack_webapi_platform_error": {
      const messages = e.data?.response_metadata?.messages
      return platformError(
        text(e.data?.error) ?? "unknown_error",
        Array.isArray(messages) ? messages.filter((m): m is string => typeof m === "string") : []
      )
    }
    case "slack_webapi_rate_limited_error": {
      const seconds = typeof e.retryAfter === "number" && e.retryAfter >= 0 ? e.retryAfter : undefined
      return new SlackError({
        reason: "RateLimited",
        retryable: true,
        code: "429",
        ...(seconds === undefined ? {} : { retryAfterMs: seconds * 1000 }),
        detail: `rate limited by Slack${seconds === undefined ? "" : `, retry after ${seconds}s`}`
      })
    }
    case "slack_webapi_http_error":
      return httpError(typeof e.statusCode === "number" ? e.statusCode : 0)
    case "slack_webapi_request_error": {
      const timedOut = e.original?.name === "TimeoutError" || e.original?.name === "AbortError"
      const cause = text(e.original?.cause?.code) ?? text(e.original?.message) ?? "request failed"
      return new SlackError({
        reason: "Transport",
        retryable: true,
        detail: timedOut ? "no answer from Slack before the timeout" : `could not reach Slack: ${cause}`
      })
    }
  }
  // The client turns a 429 without a valid Retry-After into a plain Error.
  const message = text(e.message) ?? String(error)
  return /rate limit|retry header/i.test(message)
    ? new SlackError({
        reason: "RateLimited",
        retryable: true,
        detail: "rate limited by Slack without a usable Retry-After"
      })
    : new SlackError({ reason: "Transport", retryable: true, detail: `Slack request failed: ${message.slice(0, 300)}` })
}
