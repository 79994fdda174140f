import { describe, expect, it } from "vitest"
import { classifySlackError, platformError } from "../../src/alerts/SlackError.js"

describe("platform error codes", () => {
  it.each([
    ["ratelimited", "RateLimited", true],
    ["rate_limited", "RateLimited", true],
    ["invalid_auth", "Unauthorized", false],
    ["not_authed", "Unauthorized", false],
    ["account_inactive", "Unauthorized", false],
    ["token_revoked", "Unauthorized", false],
    ["token_expired", "Unauthorized", false],
    ["missing_scope", "Unauthorized", false],
    ["channel_not_found", "ChannelNotFound", false],
    ["not_in_channel", "ChannelNotFound", false],
    ["is_archived", "ChannelNotFound", false],
    ["invalid_blocks", "InvalidPayload", false],
    ["msg_too_long", "InvalidPayload", false],
    ["no_text", "InvalidPayload", false],
    ["invalid_arguments", "InvalidPayload", false],
    ["something_new", "InvalidPayload", false],
    ["internal_error", "ServerError", true],
    ["fatal_error", "ServerError", true],
    ["service_unavailable", "ServerError", true]
  ] as const)("%s -> %s (retryable %s)", (code, reason, retryable) => {
    expect(platformError(code)).toMatchObject({ reason, retryable, code })
  })
})

describe("classifySlackError", () => {
  it("reads the shapes @slack/web-api throws", () => {
    expect(
      classifySlackError({ code: "slack_webapi_platform_error", data: { ok: false, error: "token_revoked" } })
    ).toMatchObject({ reason: "Unauthorized", retryable: false })
    expect(classifySlackError({ code: "slack_webapi_rate_limited_error", retryAfter: 30 })).toMatchObject({
      reason: "RateLimited",
      retryable: true,
      retryAfterMs: 30_000
    })
    expect(classifySlackError({ code: "slack_webapi_http_error", statusCode: 502 })).toMatchObject({
      reason: "ServerError",
      retryable: true
    })
    expect(classifySlackError({ code: "slack_webapi_http_error", statusCode: 403 })).toMatchObject({
      reason: "Unauthorized",
      retryable: false
    })
    expect(
      classifySlackError({
        code: "slack_webapi_request_error",
        original: { name: "TypeError", message: "fetch failed", cause: { code: "ENOTFOUND" } }
      })
    ).toMatchObject({ reason: "Transport", retryable: true, detail: "could not reach Slack: ENOTFOUND" })
    expect(
      classifySlackError(new Error("Retry header did not contain a valid timeout (url: x, retry-after header: null)"))
    ).toMatchObject({ reason: "RateLimited", retryable: true })
    expect(classifySlackError("weird")).toMatchObject({ reason: "Transport", retryable: true })
  })

  it("computes its message from the data", () => {
    expect(platformError("not_in_channel").message).toBe(
      "Slack: ChannelNotFound: Slack answered not_in_channel (invite the app to the channel (/invite @app))"
    )
  })
})
