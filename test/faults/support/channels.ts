// Fake channel servers on loopback for the fault suite, one listener for all of them: Meta's Graph
// API (POST /{version}/{pixel}/events), Google's OAuth token endpoint (POST /token) and Data Manager
// (POST /v1/events:ingest), affiliate postbacks (GET /postback/{target}?order=...), and Slack's
// chat.postMessage (POST /slack/api/chat.postMessage, recorded in `slack`). Every dispatch
// request is recorded with the order it is about (Meta custom_data.order_id, Data Manager
// transactionId, the postback's `order` parameter) and its target, so a scenario can count sends per
// (order, target) and find duplicates; a Meta or Data Manager request that carries several events
// (batched dispatch) is recorded once per event, all of them answered with the one answer. Each channel answers at once with the success its API
// documents unless the scenario sets a `reply` for it (a status, a delay, or a hang: no answer).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export type ChannelName = "meta" | "google" | "postback"

export interface ChannelRequest {
  readonly channel: ChannelName
  /** The target as the fake knows it: the pixel id, the conversion action id, or the postback path's name. */
  readonly target: string
  /** The platform order id the request is about. */
  readonly order: string
  readonly method: string
  readonly url: string
  readonly body: string
  /** Date.now() when the request had fully arrived. */
  readonly at: number
  /** Date.now() when the fake answered it (undefined: not yet, or never: it hung or the caller left). */
  answeredAt: number | undefined
}

export type ChannelReply =
  | {
      readonly status: number
      readonly body?: string
      readonly headers?: Record<string, string>
      readonly delayMs?: number
    }
  | "hang"

export interface FakeChannels {
  readonly url: string
  /** Dispatch requests in arrival order (token exchanges not included). */
  readonly requests: ReadonlyArray<ChannelRequest>
  /** Slack messages posted (form bodies), in arrival order. */
  readonly slack: ReadonlyArray<string>
  /** Overrides the answer for a channel (undefined: back to the default success). */
  readonly reply: (channel: ChannelName, answer: ((request: ChannelRequest) => ChannelReply) | undefined) => void
  /** Requests per `${channel}|${target}|${order}`. */
  readonly counts: () => ReadonlyMap<string, number>
  /** `${channel}|${target}|${order}` of the requests not answered (yet). */
  readonly unanswered: () => ReadonlyArray<string>
  /** Keys of (channel, target, order) that were requested more than once, with their count. */
  readonly duplicates: (channel?: ChannelName) => ReadonlyArray<{ readonly key: string; readonly count: number }>
  /** Orders that reached every given channel at least once. */
  readonly ordersReached: (channels: ReadonlyArray<ChannelName>) => ReadonlySet<string>
  readonly close: () => Promise<void>
}

const success = (channel: ChannelName, events: number): ChannelReply => {
  switch (channel) {
    case "meta":
      return { status: 200, body: JSON.stringify({ events_received: events, messages: [], fbtrace_id: "AbFaults" }) }
    case "google":
      return { status: 200, body: JSON.stringify({ requestId: `faults-${Date.now()}` }) }
    case "postback":
      return { status: 200, body: "OK", headers: { "content-type": "text/plain" } }
  }
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The channel, target and orders (one per event) of a dispatch request, or undefined for anything else. */
const classify = (method: string, url: URL, body: string) => {
  const meta = /^\/v\d+\.\d+\/([^/]+)\/events$/.exec(url.pathname)
  if (method === "POST" && meta) {
    const data = (parse(body) as { data?: Array<{ custom_data?: { order_id?: string } }> } | undefined)?.data
    const orders = (data ?? []).map((e) => e.custom_data?.order_id ?? "?")
    return { channel: "meta" as const, target: meta[1]!, orders: orders.length === 0 ? ["?"] : orders }
  }
  if (method === "POST" && url.pathname === "/v1/events:ingest") {
    const request = parse(body) as
      | { destinations?: Array<{ productDestinationId?: string }>; events?: Array<{ transactionId?: string }> }
      | undefined
    const orders = (request?.events ?? []).map((e) => e.transactionId ?? "?")
    return {
      channel: "google" as const,
      target: request?.destinations?.[0]?.productDestinationId ?? "?",
      orders: orders.length === 0 ? ["?"] : orders
    }
  }
  const postback = /^\/postback\/([^/]+)$/.exec(url.pathname)
  if (postback)
    return { channel: "postback" as const, target: postback[1]!, orders: [url.searchParams.get("order") ?? "?"] }
  return undefined
}

export const startFakeChannels = async (): Promise<FakeChannels> => {
  const requests: Array<ChannelRequest> = []
  const slack: Array<string> = []
  const overrides = new Map<ChannelName, (request: ChannelRequest) => ChannelReply>()
  const hanging = new Set<ServerResponse>()

  const answer = (res: ServerResponse, reply: ChannelReply, answered: ReadonlyArray<ChannelRequest> = []) => {
    if (reply === "hang") {
      hanging.add(res)
      res.once("close", () => hanging.delete(res))
      return
    }
    const send = () => {
      if (res.destroyed) return
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
      res.end(reply.body ?? "")
      for (const request of answered) request.answeredAt = Date.now()
    }
    if (reply.delayMs) setTimeout(send, reply.delayMs)
    else send()
  }

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? "/", "http://fake")
    if (req.method === "POST" && url.pathname === "/token")
      return answer(res, {
        status: 200,
        body: JSON.stringify({ access_token: "ya29.faults-access-token", expires_in: 3599, token_type: "Bearer" })
      })
    if (req.method === "POST" && url.pathname === "/slack/api/chat.postMessage") {
      slack.push(body)
      return answer(res, {
        status: 200,
        body: JSON.stringify({ ok: true, channel: "C0FAULTS", ts: `${Date.now()}.0001` })
      })
    }
    const found = classify(req.method ?? "", url, body)
    if (found === undefined)
      return answer(res, { status: 404, body: JSON.stringify({ error: `no route ${url.pathname}` }) })
    const at = Date.now()
    const recorded = found.orders.map(
      (order): ChannelRequest => ({
        channel: found.channel,
        target: found.target,
        order,
        method: req.method ?? "",
        url: req.url ?? "",
        body,
        at,
        answeredAt: undefined
      })
    )
    requests.push(...recorded)
    answer(res, overrides.get(found.channel)?.(recorded[0]!) ?? success(found.channel, recorded.length), recorded)
  }

  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  const counts = () => {
    const out = new Map<string, number>()
    for (const r of requests) {
      const key = `${r.channel}|${r.target}|${r.order}`
      out.set(key, (out.get(key) ?? 0) + 1)
    }
    return out
  }

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    slack,
    reply: (channel, fn) => {
      if (fn === undefined) overrides.delete(channel)
      else overrides.set(channel, fn)
    },
    counts,
    unanswered: () =>
      requests.filter((r) => r.answeredAt === undefined).map((r) => `${r.channel}|${r.target}|${r.order}`),
    duplicates: (channel) =>
      [...counts()]
        .filter(([key, n]) => n > 1 && (channel === undefined || key.startsWith(`${channel}|`)))
        .map(([key, count]) => ({ key, count })),
    ordersReached: (channels) => {
      const by = new Map<string, Set<ChannelName>>()
      for (const r of requests) by.set(r.order, (by.get(r.order) ?? new Set()).add(r.channel))
      return new Set([...by].filter(([, seen]) => channels.every((c) => seen.has(c))).map(([order]) => order))
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
