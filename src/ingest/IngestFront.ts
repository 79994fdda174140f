// The webhook endpoint's fast path: POST /webhooks/{sourceId} is answered straight from Node's request
// listener, in front of the HttpApi router, because it is the one endpoint platforms hit at volume
// and the router's per-request work costs more than the ingest itself. Everything else (and any
// webhook URL this does not recognise) goes on to the router, which also documents the endpoint.
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, Layer, Runtime } from "effect"
import { ReceiveWebhook } from "../http/Api.js"
import { FrontHandler } from "../http/Http.js"
import { httpDuration, httpRequests } from "../lib/metrics.js"
import { Ingest } from "./Ingest.js"
import { outcomeResponse } from "./outcome.js"

const PREFIX = "/webhooks/"
/** The metrics' route label: the endpoint's template, as the router would label it. */
const ROUTE = ReceiveWebhook.path

export const IngestFrontLive = Layer.effect(
  FrontHandler,
  Effect.gen(function* () {
    const ingest = yield* Ingest
    const run = Runtime.runPromise(yield* Effect.runtime<never>())
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== "POST" || !req.url?.startsWith(PREFIX)) return false
      const raw = req.url.slice(PREFIX.length).split("?")[0] ?? ""
      let sourceId: string
      try {
        sourceId = decodeURIComponent(raw)
      } catch {
        return false
      }
      if (sourceId === "" || sourceId.includes("/")) return false
      const started = performance.now()
      run(ingest.receive({ sourceId, message: req, remoteAddress: req.socket.remoteAddress })).then(
        (outcome) => {
          const { status, body, headers } = outcomeResponse(outcome)
          const text = JSON.stringify(body)
          res.writeHead(status, {
            ...headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text)
          })
          res.end(text)
          httpRequests.inc({ route: ROUTE, method: "POST", status: String(status) })
          httpDuration.observe({ route: ROUTE }, (performance.now() - started) / 1000)
        },
        () => {
          // receive answers every failure itself; this is a defect in the answering.
          if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
          res.end(JSON.stringify({ error: "internal", message: "the webhook could not be answered" }))
        }
      )
      return true
    }
  })
)
