// Every request s2s sends to a partner (postbacks, Meta, Google's Data Manager and OAuth endpoints,
// Slack) goes out through this: it says who it is (`User-Agent: s2s/<version>`) and nothing a
// browser would say. Node's fetch implements the browser's Fetch standard and adds `sec-fetch-mode:
// cors`, `accept-language: *`, `accept: */*` and `user-agent: node`; some partners' bot filters and
// WAFs treat that mix as a suspicious browser. undici's `request` sends only what it is given (plus
// Host, Connection and the body's framing), so this is a fetch-shaped function on top of it.
//
// Redirects are never followed (callers decide; a redirect is not a success). Bodies are not
// decompressed, so no Accept-Encoding is sent.
import { Readable } from "node:stream"
import { type Dispatcher, request } from "undici"
import { VERSION } from "./version.js"

export const USER_AGENT = `s2s/${VERSION}`

export interface OutboundInit {
  readonly method?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | undefined
  readonly signal?: AbortSignal | undefined
  /** An undici dispatcher (the postback egress guard pins vetted addresses with one). */
  readonly dispatcher?: Dispatcher | undefined
}

/** Statuses whose responses cannot carry a body in the Fetch API. */
const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * The request with our User-Agent (a caller's own User-Agent wins: a postback target may set one),
 * answered as a standard Response. Network errors reject as fetch's do: TypeError("fetch failed")
 * with the network error as its cause; an aborted signal rejects with its reason.
 */
export const outboundFetch = async (url: string | URL, init: OutboundInit = {}): Promise<Response> => {
  const headers: Record<string, string> = { "user-agent": USER_AGENT }
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (name.toLowerCase() === "user-agent") delete headers["user-agent"]
    headers[name] = value
  }
  const answer = await request(url, {
    method: (init.method ?? "GET") as Dispatcher.HttpMethod,
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
    ...(init.dispatcher === undefined ? {} : { dispatcher: init.dispatcher })
  }).catch((error: unknown) => {
    // Fail as fetch fails, so callers read errors one way: an aborted signal rejects with its
    // reason, anything else with TypeError("fetch failed") whose cause is the network error
    // (code ECONNREFUSED, UND_ERR_SOCKET, ...; an AggregateError lists every address tried).
    if (init.signal?.aborted) throw init.signal.reason
    throw new TypeError("fetch failed", { cause: error })
  })
  const responseHeaders = new Headers()
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v)
  }
  const status = answer.statusCode
  // A body we do not read is dumped, not destroyed: undici's destroy() of an unfinished body emits
  // an AbortError nobody listens to (an uncaught exception).
  const discard = () => answer.body.dump().catch(() => undefined)
  if (status < 200 || status > 599) {
    await discard()
    throw new TypeError(`the server answered with status ${status}, which is not a final HTTP status`)
  }
  if (NULL_BODY.has(status)) {
    await discard()
    return new Response(null, { status, headers: responseHeaders })
  }
  return new Response(Readable.toWeb(answer.body) as unknown as ReadableStream<Uint8Array>, {
    status,
    headers: responseHeaders
  })
}
