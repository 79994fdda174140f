// One outbound HTTP call, recorded as an HttpExchange fit for the event log: secrets redacted from
// headers, query and body; the response body truncated at RECORDED_BODY_LIMIT. Redirects are never
// followed (a destination that redirects is misconfigured, and following would bypass URL checks).
// Sent through lib/outbound.ts: `User-Agent: s2s/<version>`, none of fetch's browser headers.
import { Effect } from "effect"
import type { Dispatcher } from "undici"
import type { HttpExchange } from "../events/dispatch.js"
import { outboundFetch, USER_AGENT } from "../lib/outbound.js"
import { ChannelError } from "./Channel.js"

/** Response bodies are kept in the log up to this many bytes of UTF-8 (cut at a character boundary). */
export const RECORDED_BODY_LIMIT = 8 * 1024
/** Response bodies are read up to this many bytes at most. */
const READ_LIMIT = 1024 * 1024

const ALWAYS_REDACTED_HEADERS = ["authorization", "cookie", "x-api-key", "proxy-authorization"]
export const REDACTED = "[redacted]"

export interface HttpCall {
  readonly channel: string
  readonly method: "GET" | "POST"
  readonly url: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | undefined
  readonly timeoutMs: number
  /** The whole adapter call's timeout, named in the message when `timeoutMs` is what is left of it. */
  readonly budgetMs?: number | undefined
  /** Header names whose values must not be recorded (authorization etc. always are). */
  readonly redactHeaders?: ReadonlyArray<string> | undefined
  /** Query parameters whose values must not be recorded (access_token, ...). */
  readonly redactQuery?: ReadonlyArray<string> | undefined
  /** The body as it may be recorded, when it differs from what is sent (secrets or raw PII removed). */
  readonly recordedBody?: string | undefined
  /** Literal secret values to scrub from anything recorded (URL, body, response). */
  readonly secrets?: ReadonlyArray<string> | undefined
  /** An undici dispatcher for this call (the postback egress guard pins vetted addresses with one). */
  readonly dispatcher?: Dispatcher | undefined
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: string
  readonly exchange: HttpExchange
}

/**
 * Every configured secret value is replaced wherever it appears, however short (a 3-character API key
 * is still a key), longest first so a secret inside another cannot leave pieces of the longer one.
 * A single character is the exception: replacing every "a" would only destroy the record, so such a
 * value is redacted where it is a whole value (a query parameter, see redactUrl).
 */
export const scrub = (text: string, secrets: ReadonlyArray<string>) =>
  [...secrets]
    .filter((s) => s.length >= 2)
    .sort((a, b) => b.length - a.length)
    .reduce((acc, s) => acc.split(s).join(REDACTED), text)

/** The first `limit` bytes of the text's UTF-8, never splitting a character. */
export const truncateUtf8 = (text: string, limit: number): { readonly text: string; readonly truncated: boolean } => {
  const bytes = Buffer.from(text, "utf8")
  if (bytes.length <= limit) return { text, truncated: false }
  let end = limit
  // Back off over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return { text: bytes.subarray(0, end).toString("utf8"), truncated: true }
}

export const redactUrl = (url: string, names: ReadonlyArray<string>, secrets: ReadonlyArray<string> = []) => {
  try {
    const u = new URL(url)
    // Longer secrets are scrubbed below in the URL as written; a one-character one only as a whole value.
    const single = new Set(secrets.filter((s) => s.length === 1))
    for (const [name, value] of [...u.searchParams]) {
      if (names.includes(name) || single.has(value)) u.searchParams.set(name, REDACTED)
    }
    return scrub(u.toString(), secrets)
  } catch {
    return scrub(url, secrets)
  }
}

/** The headers as sent: outboundFetch adds our User-Agent unless the caller set one. */
const withUserAgent = (headers: Readonly<Record<string, string>>) =>
  Object.keys(headers).some((h) => h.toLowerCase() === "user-agent")
    ? headers
    : { ...headers, "User-Agent": USER_AGENT }

const recordHeaders = (headers: Readonly<Record<string, string>>, redact: ReadonlyArray<string>) => {
  const hidden = new Set([...ALWAYS_REDACTED_HEADERS, ...redact.map((h) => h.toLowerCase())])
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, hidden.has(k.toLowerCase()) ? REDACTED : v]))
}

const readCapped = async (response: Response): Promise<string> => {
  if (!response.body) return ""
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size >= READ_LIMIT) {
      await reader.cancel().catch(() => undefined)
      break
    }
  }
  return Buffer.concat(chunks).toString("utf8")
}

/** Performs the call. HTTP error statuses are returned, not failed: the adapter classifies them. */
export const httpCall = (call: HttpCall): Effect.Effect<HttpResponse, ChannelError> =>
  Effect.async<HttpResponse, ChannelError>((resume, signal) => {
    const started = performance.now()
    const secrets = call.secrets ?? []
    const requestRecord = {
      method: call.method,
      url: redactUrl(call.url, call.redactQuery ?? [], secrets),
      headers: recordHeaders(withUserAgent(call.headers ?? {}), call.redactHeaders ?? []),
      ...(call.body === undefined ? {} : { body: scrub(call.recordedBody ?? call.body, secrets) })
    }
    const timeout = AbortSignal.timeout(call.timeoutMs)
    outboundFetch(call.url, {
      method: call.method,
      headers: call.headers ?? {},
      body: call.body,
      signal: AbortSignal.any([timeout, signal]),
      dispatcher: call.dispatcher
    })
      .then(async (response) => {
        const body = await readCapped(response)
        const durationMs = Math.round(performance.now() - started)
        const responseHeaders: Record<string, string> = {}
        response.headers.forEach((value, key) => {
          if (key !== "set-cookie") responseHeaders[key] = value
        })
        const recordedBody = truncateUtf8(scrub(body, secrets), RECORDED_BODY_LIMIT)
        resume(
          Effect.succeed({
            status: response.status,
            headers: response.headers,
            body,
            exchange: {
              request: requestRecord,
              response: {
                status: response.status,
                headers: responseHeaders,
                body: recordedBody.text,
                truncated: recordedBody.truncated
              },
              durationMs
            }
          })
        )
      })
      .catch((error: unknown) => {
        const durationMs = Math.round(performance.now() - started)
        const timedOut = timeout.aborted
        const detail = timedOut
          ? `no response within ${call.budgetMs ?? call.timeoutMs} ms`
          : scrub(describeTransportError(error), secrets)
        resume(
          Effect.fail(
            new ChannelError({
              channel: call.channel,
              reason: timedOut ? "Timeout" : "Transport",
              retryable: true,
              detail,
              // fetch does not say how far a request got: only errors that happen before a byte can
              // leave (no connection, no address, a refused certificate) prove it was not sent.
              outcomeUnknown: timedOut || !notSent(error),
              exchanges: [{ request: requestRecord, durationMs, error: detail }]
            })
          )
        )
      })
  })

/**
 * An exchange as one item of a batched request records it: the request body replaced by the part
 * that concerns the item (its own event), scrubbed like any recorded body. Status, response and
 * timing are the request's.
 */
export const exchangeAs = (exchange: HttpExchange, body: string, secrets: ReadonlyArray<string>): HttpExchange => ({
  ...exchange,
  request: { ...exchange.request, body: scrub(body, secrets) }
})

/** Failures that happen before a connection carries the request: nothing reached the destination. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

const notSent = (error: unknown): boolean => {
  const e = error as { cause?: { code?: string; errors?: ReadonlyArray<{ code?: string }> } }
  const codes = [e.cause?.code, ...(e.cause?.errors ?? []).map((x) => x.code)].filter((c) => c !== undefined)
  return codes.length > 0 && codes.every((c) => NOT_SENT.has(c))
}

const describeTransportError = (error: unknown): string => {
  const e = error as { message?: string; cause?: { code?: string; message?: string } }
  const cause = e.cause?.code ?? e.cause?.message
  return cause ? `${e.message ?? "request failed"} (${cause})` : (e.message ?? String(error))
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined. */
export const retryAfterMs = (headers: Headers, now = Date.now()): number | undefined => {
  const value = headers.get("retry-after")
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The default classification of an HTTP status for destinations without a richer error body. */
export const classifyStatus = (
  status: number
): { readonly reason: ChannelError["reason"]; readonly retryable: boolean } | undefined => {
  if (status >= 200 && status < 300) return undefined
  if (status === 429) return { reason: "RateLimited", retryable: true }
  if (status === 408) return { reason: "Timeout", retryable: true }
  if (status >= 500) return { reason: "ServerError", retryable: true }
  if (status === 401 || status === 403) return { reason: "Unauthorized", retryable: false }
  if (status === 400 || status === 422) return { reason: "InvalidPayload", retryable: false }
  return { reason: "Rejected", retryable: false }
}
