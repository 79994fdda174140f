// The built-in sink for the demo: stands in for Meta's Graph API, Google's Data Manager and OAuth
// endpoints, Slack's Web API and three affiliate partners (one that accepts, one that fails once per
// order then accepts, one that is down for an order's first two requests), so `s2s demo` shows
// deliveries, a retry, a dead letter (and its re-dispatch) and Slack messages without any credentials.
// Mounted only in demo mode (S2S_DEMO=1).
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"
import { demoEnabled } from "./demoMode.js"

interface SlackMessage {
  readonly channel: string
  readonly text: string
  readonly blocks: unknown
  readonly at: string
}

const messages: Array<SlackMessage> = []
const flakySeen = new Set<string>()
const brokenSeen = new Map<string, number>()

const json = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

const form = (text: string) => Object.fromEntries(new URLSearchParams(text))

export const DemoSinkLive = Layer.unwrapEffect(
  Effect.sync(() =>
    !demoEnabled()
      ? Layer.empty
      : HttpApiBuilder.Router.use((router) =>
          Effect.gen(function* () {
            yield* router.post(
              "/demo/meta/*",
              Effect.map(HttpServerRequest.HttpServerRequest, () =>
                json({ events_received: 1, messages: [], fbtrace_id: "demo-trace" })
              )
            )
            yield* router.post("/demo/google/*", Effect.succeed(json({ requestId: `demo-${Date.now().toString(36)}` })))
            yield* router.post(
              "/demo/oauth/token",
              Effect.succeed(json({ access_token: "demo-access-token", expires_in: 3599, token_type: "Bearer" }))
            )
            yield* router.all(
              "/demo/partner/:behaviour",
              Effect.gen(function* () {
                const request = yield* HttpServerRequest.HttpServerRequest
                const url = new URL(request.url, "http://sink")
                const behaviour = url.pathname.split("/").at(-1)
                const ref = url.searchParams.get("ref") ?? ""
                // "broken" is down for the first two requests of each order (the dispatch dead-letters
                // after its 2 attempts), then back: an operator's re-dispatch succeeds.
                if (behaviour === "broken") {
                  const seen = brokenSeen.get(ref) ?? 0
                  brokenSeen.set(ref, seen + 1)
                  if (seen < 2) return HttpServerResponse.text("internal error", { status: 500 })
                }
                if (behaviour === "flaky" && !flakySeen.has(ref)) {
                  flakySeen.add(ref)
                  return HttpServerResponse.text("busy, try again", { status: 503, headers: { "retry-after": "2" } })
                }
                return HttpServerResponse.text("OK")
              })
            )
            yield* router.post(
              "/demo/slack/api/chat.postMessage",
              Effect.gen(function* () {
                const request = yield* HttpServerRequest.HttpServerRequest
                const text = yield* request.text
                const type = request.headers["content-type"] ?? ""
                const body = (type.includes("json") ? JSON.parse(text) : form(text)) as Record<string, unknown>
                const blocks = typeof body.blocks === "string" ? JSON.parse(body.blocks) : body.blocks
                messages.push({
                  channel: String(body.channel),
                  text: String(body.text ?? ""),
                  blocks,
                  at: new Date().toISOString()
                })
                return json({ ok: true, channel: body.channel, ts: `${Date.now() / 1000}` })
              }).pipe(Effect.orDie)
            )
            yield* router.get(
              "/demo/slack/messages",
              Effect.sync(() => json({ messages }))
            )
          })
        )
  )
)
