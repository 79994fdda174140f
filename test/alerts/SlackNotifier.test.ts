import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer } from "effect"
import { message as slackMessage } from "../../src/alerts/blocks.js"
import { SlackError } from "../../src/alerts/SlackError.js"
import {
  makeSlackNotifier,
  normalizeSlackApiUrl,
  type SlackDestination,
  SlackNotifier,
  SlackNotifierLive
} from "../../src/alerts/SlackNotifier.js"
import { SecretsTest } from "../../src/config/Secrets.js"
import { closedPort, okReply, type SlackReply, withFakeSlack } from "./support/fakeSlack.js"

const TOKEN = "xoxb-1234-5678-SuperSecretBotToken"
const destination: SlackDestination = { token: "env:SLACK_BOT_TOKEN", channel: "#tracking-alerts" }
const secrets = SecretsTest({ SLACK_BOT_TOKEN: TOKEN })

const message = slackMessage("Paid order shop-de:1001 (DE) has utm_source=google but no gclid/gbraid/wbraid", [
  { type: "header", text: { type: "plain_text", text: ":warning: google click id missing", emoji: true } },
  { type: "section", text: { type: "mrkdwn", text: "Paid order `shop-de:1001` &amp; more" } }
])

/** Posts once through a notifier pointed at the fake; returns the outcome and what the fake saw. */
const postVia = (reply: SlackReply, timeoutMs?: number) =>
  withFakeSlack(
    () => reply,
    (slack) =>
      Effect.gen(function* () {
        const notifier = yield* makeSlackNotifier({ slackApiUrl: slack.apiUrl, ...(timeoutMs ? { timeoutMs } : {}) })
        const result = yield* Effect.either(notifier.post(destination, message))
        return { result, requests: slack.requests }
      })
  ).pipe(Effect.provide(secrets))

const failure = (result: Either.Either<unknown, unknown>): SlackError => {
  if (Either.isRight(result)) throw new Error("expected a failure")
  expect(result.left).toBeInstanceOf(SlackError)
  const error = result.left as SlackError
  // The token must never be part of an error, however it is printed.
  for (const printed of [error.message, error.detail, String(error), JSON.stringify(error)]) {
    expect(printed).not.toContain(TOKEN)
    expect(printed).not.toContain("SuperSecret")
  }
  return error
}

describe("SlackNotifier request", () => {
  it.effect("posts chat.postMessage as a form with the bearer token, channel, text and blocks", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* postVia(okReply())
      expect(result).toEqual(Either.right({ channel: "C0123TRACK", ts: "1773136800.000100" }))
      expect(requests).toHaveLength(1)
      const request = requests[0]!
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/api/chat.postMessage")
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(request.form.map(([k]) => k)).toEqual(["channel", "text", "blocks", "unfurl_links", "unfurl_media"])
      const form = Object.fromEntries(request.form)
      expect(form.channel).toBe("#tracking-alerts")
      expect(form.text).toBe("Paid order shop-de:1001 (DE) has utm_source=google but no gclid/gbraid/wbraid")
      expect(JSON.parse(form.blocks!)).toEqual([
        { type: "header", text: { type: "plain_text", text: ":warning: google click id missing", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "Paid order `shop-de:1001` &amp; more" } }
      ])
      expect(form.unfurl_links).toBe("false")
      expect(form.unfurl_media).toBe("false")
      // The token travels only in the header.
      expect(request.body).not.toContain(TOKEN)
    })
  )

  it.effect("replies in a thread when asked", () =>
    withFakeSlack(
      () => okReply(),
      (slack) =>
        Effect.gen(function* () {
          const notifier = yield* makeSlackNotifier({ slackApiUrl: slack.apiUrl })
          yield* notifier.post(destination, message, { threadTs: "1773136800.000100" })
          expect(Object.fromEntries(slack.requests[0]!.form).thread_ts).toBe("1773136800.000100")
        })
    ).pipe(Effect.provide(secrets))
  )

  it.effect("SlackNotifierLive takes SLACK_API_URL and adds the missing trailing slash", () =>
    withFakeSlack(
      () => okReply("C999"),
      (slack) =>
        Effect.gen(function* () {
          const notifier = yield* SlackNotifier
          const posted = yield* notifier.post(destination, message)
          expect(posted.channel).toBe("C999")
          expect(slack.requests.map((r) => r.path)).toEqual(["/api/chat.postMessage"])
        }).pipe(
          Effect.provide(Layer.provide(SlackNotifierLive, secrets)),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["SLACK_API_URL", slack.apiUrl.slice(0, -1)]])))
        )
    )
  )

  it.effect("an SLACK_API_URL that is not a URL fails at startup", () =>
    Effect.gen(function* () {
      const result = yield* SlackNotifier.pipe(
        Effect.provide(Layer.provide(SlackNotifierLive, secrets)),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["SLACK_API_URL", "localhost:8888"]]))),
        Effect.either
      )
      expect(Either.isLeft(result) && String(result.left)).toContain("SLACK_API_URL must be an http(s) URL")
    })
  )

  it.effect("a missing token variable fails with MissingSecret before any request", () =>
    withFakeSlack(
      () => okReply(),
      (slack) =>
        Effect.gen(function* () {
          const notifier = yield* makeSlackNotifier({ slackApiUrl: slack.apiUrl })
          const result = yield* Effect.either(notifier.post({ ...destination, token: "env:NOT_SET" }, message))
          expect(Either.isLeft(result) && result.left._tag).toBe("MissingSecret")
          expect(slack.requests).toHaveLength(0)
        })
    ).pipe(Effect.provide(secrets))
  )
})

describe("SlackNotifier errors", () => {
  it.effect("channel_not_found is permanent", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* postVia({ body: { ok: false, error: "channel_not_found" } })
      const error = failure(result)
      expect(error).toMatchObject({ reason: "ChannelNotFound", retryable: false, code: "channel_not_found" })
      expect(error.detail).toContain("invite it to private channels")
      expect(requests).toHaveLength(1)
    })
  )

  it.effect("not_in_channel is permanent", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({ body: { ok: false, error: "not_in_channel" } })
      expect(failure(result)).toMatchObject({ reason: "ChannelNotFound", retryable: false })
    })
  )

  it.effect("invalid_auth is Unauthorized and permanent", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({ body: { ok: false, error: "invalid_auth" } })
      expect(failure(result)).toMatchObject({ reason: "Unauthorized", retryable: false })
    })
  )

  it.effect("invalid_blocks is InvalidPayload, with Slack's explanation", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({
        body: {
          ok: false,
          error: "invalid_blocks",
          response_metadata: {
            messages: ["[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"]
          }
        }
      })
      const error = failure(result)
      expect(error).toMatchObject({ reason: "InvalidPayload", retryable: false })
      expect(error.detail).toBe(
        "Slack answered invalid_blocks: [ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"
      )
    })
  )

  it.effect("ok:false ratelimited is retryable", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({ body: { ok: false, error: "ratelimited" } })
      expect(failure(result)).toMatchObject({ reason: "RateLimited", retryable: true })
    })
  )

  it.effect("HTTP 429 with Retry-After is RateLimited, retryable after that long, and not retried by the client", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* postVia({
        status: 429,
        headers: { "retry-after": "7" },
        body: { ok: false, error: "ratelimited" }
      })
      expect(failure(result)).toMatchObject({ reason: "RateLimited", retryable: true, retryAfterMs: 7000 })
      expect(requests).toHaveLength(1)
    })
  )

  it.effect("HTTP 429 without Retry-After is still RateLimited and retryable", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* postVia({ status: 429, body: { ok: false } })
      const error = failure(result)
      expect(error).toMatchObject({ reason: "RateLimited", retryable: true })
      expect(error.retryAfterMs).toBeUndefined()
      expect(requests).toHaveLength(1)
    })
  )

  it.effect("HTTP 500 is a retryable ServerError, attempted once", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* postVia({ status: 500, body: "<html>oops</html>" })
      expect(failure(result)).toMatchObject({ reason: "ServerError", retryable: true, code: "500" })
      expect(requests).toHaveLength(1)
    })
  )

  it.effect("HTTP 503 is a retryable ServerError", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({ status: 503, body: "" })
      expect(failure(result)).toMatchObject({ reason: "ServerError", retryable: true })
    })
  )

  it.effect("HTTP 404 (wrong SLACK_API_URL) is permanent and says so", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({ status: 404, body: "not found" })
      const error = failure(result)
      expect(error).toMatchObject({ reason: "InvalidPayload", retryable: false })
      expect(error.detail).toContain("SLACK_API_URL")
    })
  )

  it.effect("a refused connection is a retryable Transport error", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const notifier = yield* makeSlackNotifier({ slackApiUrl: `http://127.0.0.1:${port}/api/` })
      const result = yield* Effect.either(notifier.post(destination, message))
      const error = failure(result)
      expect(error).toMatchObject({ reason: "Transport", retryable: true })
      expect(error.detail).toContain("ECONNREFUSED")
    }).pipe(Effect.provide(secrets))
  )

  it.effect("no answer before the timeout is a retryable Transport error", () =>
    Effect.gen(function* () {
      const { result } = yield* postVia({ hang: true }, 200)
      const error = failure(result)
      expect(error).toMatchObject({ reason: "Transport", retryable: true })
      expect(error.detail).toBe("no answer from Slack before the timeout")
    })
  )
})

describe("normalizeSlackApiUrl", () => {
  it.each([
    ["http://127.0.0.1:8888/api/", "http://127.0.0.1:8888/api/"],
    ["http://127.0.0.1:8888/api", "http://127.0.0.1:8888/api/"],
    [" https://slack.example/api ", "https://slack.example/api/"],
    ["", undefined],
    ["localhost:8888/api", undefined],
    [undefined, undefined]
  ] as const)("%s -> %s", (raw, expected) => {
    expect(normalizeSlackApiUrl(raw)).toBe(expected)
  })
})
