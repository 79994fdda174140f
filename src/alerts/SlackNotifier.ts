// Posts one rendered alert to Slack with chat.postMessage and says how it went.
// Consumes: a destination (alerts.slack: token env reference + channel), a SlackMessage, and the env
// SLACK_API_URL (tests, sandboxes). Emits: {ts, channel} of the posted message. Fails with a
// SlackError whose `retryable` and `retryAfterMs` the alert delivery job turns into its own retry, or
// MissingSecret when the token's environment variable is unset. The client's own retries and its
// queue-pausing rate-limit handling are off: one call is one attempt, recorded by the caller.
import { type FetchFunction, LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api"
import { Config, ConfigError, Context, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { type MissingSecret, Secrets } from "../config/Secrets.js"
import { outboundFetch, USER_AGENT } from "../lib/outbound.js"
import type { SlackMessage } from "./blocks.js"
import { classifySlackError, type SlackError } from "./SlackError.js"

export interface SlackDestination {
  /** `env:NAME` reference to a bot token (xoxb-...) with chat:write. */
  readonly token: string
  /** Channel name ("#tracking-alerts") or id. */
  readonly channel: string
}

export interface SlackPosted {
  readonly ts?: string
  readonly channel: string
}

export interface PostOptions {
  /** Reply in the thread of this message (e.g. a digest under the alert it follows up). */
  readonly threadTs?: string | undefined
}

export interface SlackNotifierService {
  readonly post: (
    destination: SlackDestination,
    message: SlackMessage,
    options?: PostOptions
  ) => Effect.Effect<SlackPosted, SlackError | MissingSecret>
}

export class SlackNotifier extends Context.Tag("app/alerts/SlackNotifier")<SlackNotifier, SlackNotifierService>() {}

export interface SlackNotifierOptions {
  /** Base URL of the Web API, ending in "/"; default https://slack.com/api/. */
  readonly slackApiUrl?: string | undefined
  readonly timeoutMs?: number | undefined
}

export const DEFAULT_TIMEOUT_MS = 10_000

/** "http://127.0.0.1:9/api" -> "http://127.0.0.1:9/api/"; blank -> undefined; not http(s) -> undefined. */
export const normalizeSlackApiUrl = (raw: string | undefined): string | undefined => {
  const trimmed = raw?.trim()
  if (trimmed === undefined || trimmed === "" || !/^https?:\/\/[^\s]+$/i.test(trimmed)) return undefined
  return trimmed.endsWith("/") ? trimmed : `${trimmed}/`
}

// The client logs through console by default; our errors and the alert stream already say it all.
const silent: SlackLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {}
}

/** @slack/web-api's requests through lib/outbound.ts (its bodies are url-encoded text). */
const slackFetch: FetchFunction = (url, init) =>
  typeof init?.body === "object"
    ? Promise.reject(new TypeError("s2s sends Slack only text bodies (no file uploads)"))
    : outboundFetch(url, {
        method: init?.method,
        headers: init?.headers,
        body: init?.body,
        signal: init?.signal
      })

const PostMessageResponse = Schema.Struct({
  ts: Schema.optional(Schema.String),
  channel: Schema.optional(Schema.String)
})

export const makeSlackNotifier = (options: SlackNotifierOptions = {}) =>
  Effect.gen(function* () {
    const secrets = yield* Secrets
    const slackApiUrl = normalizeSlackApiUrl(options.slackApiUrl)

    const post = Effect.fn("Alerts.postToSlack")(function* (
      destination: SlackDestination,
      message: SlackMessage,
      postOptions?: PostOptions
    ) {
      const token = yield* secrets.get(destination.token, "alerts.slack.token")
      // A client per post: the token is read at each use (rotation), and nothing is shared between
      // posts now that retries and the rate-limit queue are off.
      const client = new WebClient(Redacted.value(token), {
        ...(slackApiUrl === undefined ? {} : { slackApiUrl }),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        logger: silent,
        // Our User-Agent and no browser headers (lib/outbound.ts), like every other outgoing request.
        fetch: slackFetch,
        headers: { "User-Agent": USER_AGENT }
      })
      const response = yield* Effect.tryPromise({
        try: () =>
          client.chat.postMessage({
            channel: destination.channel,
            text: message.text,
            blocks: [...message.blocks],
            // The order-log link points at our admin API: Slack must not try to unfurl it.
            unfurl_links: false,
            unfurl_media: false,
            ...(postOptions?.threadTs === undefined ? {} : { thread_ts: postOptions.threadTs })
          }),
        catch: classifySlackError
      })
      const decoded = Schema.decodeUnknownOption(PostMessageResponse)(response)
      const ts = Option.flatMapNullable(decoded, (r) => r.ts)
      const channel = Option.flatMapNullable(decoded, (r) => r.channel)
      return {
        channel: Option.getOrElse(channel, () => destination.channel),
        ...(Option.isSome(ts) ? { ts: ts.value } : {})
      } satisfies SlackPosted
    })

    return { post } satisfies SlackNotifierService
  })

const SlackApiUrl = Config.option(Config.string("SLACK_API_URL")).pipe(
  Config.mapOrFail((raw) => {
    if (Option.isNone(raw) || raw.value.trim() === "") return Either.right(undefined)
    const url = normalizeSlackApiUrl(raw.value)
    return url === undefined
      ? Either.left(ConfigError.InvalidData(["SLACK_API_URL"], "SLACK_API_URL must be an http(s) URL"))
      : Either.right(url)
  })
)

/** Reads SLACK_API_URL once; needs Secrets for the token at each post. */
export const SlackNotifierLive = Layer.effect(
  SlackNotifier,
  Effect.gen(function* () {
    const slackApiUrl = yield* SlackApiUrl
    return yield* makeSlackNotifier({ slackApiUrl })
  })
)
