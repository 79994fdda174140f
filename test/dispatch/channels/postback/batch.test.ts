// Postbacks in a batch: concurrent over kept-alive connections, never more than the target's
// hostConcurrency in flight to one host, each with its own outcome.
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { DispatchInput } from "../../../../src/dispatch/Channel.js"
import { PostbackChannel } from "../../../../src/dispatch/channels/postback/index.js"
import type { PostbackTarget } from "../../../../src/events/configSchema.js"
import { withEnv } from "../support/run.js"
import { NOW, target, tracking } from "./fixtures.js"

interface Gate {
  readonly origin: string
  /** Most requests the server held unanswered at once. */
  readonly maxInFlight: () => number
  readonly connections: () => number
  readonly clicks: Array<string>
}

/**
 * A server that holds every request until `limit` are waiting (or all that remain), then answers
 * them together: the batch reaches the limit or hangs, and exceeding it shows in maxInFlight.
 * The request for `failing` is answered 500.
 */
const withGate = <A, E, R>(
  limit: number,
  total: number,
  failing: string,
  use: (gate: Gate) => Effect.Effect<A, E, R>
) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: ReturnType<typeof createServer>; gate: Gate }>((resume) => {
      const pending: Array<{ res: ServerResponse; click: string }> = []
      const clicks: Array<string> = []
      let answered = 0
      let max = 0
      let connections = 0
      const server = createServer((req, res) => {
        req.resume()
        req.on("end", () => {
          const click = new URL(req.url ?? "/", "http://x").searchParams.get("cks") ?? ""
          clicks.push(click)
          pending.push({ res, click })
          max = Math.max(max, pending.length)
          if (pending.length < Math.min(limit, total - answered)) return
          for (const { res, click } of pending.splice(0)) {
            answered++
            res.writeHead(click === failing ? 500 : 200).end(click === failing ? "down" : "OK")
          }
        })
      })
      server.on("connection", () => {
        connections++
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(
          Effect.succeed({
            server,
            gate: {
              origin: `http://127.0.0.1:${port}`,
              maxInFlight: () => max,
              connections: () => connections,
              clicks
            }
          })
        )
      })
    }),
    ({ gate }) => use(gate),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const batch = (n: number, t: PostbackTarget): Array<DispatchInput<PostbackTarget>> =>
  Array.from({ length: n }, (_, i) => ({
    order: { ...tracking({ clickIds: { awc: `click-${i + 1}` } }), orderKey: `shop-de:${i + 1}` },
    target: t,
    kind: "conversion",
    attempt: 1,
    now: NOW
  }))

describe("PostbackChannel.sendBatch", () => {
  it.effect("40 postbacks, hostConcurrency 4: exactly 4 in flight, at most 4 connections, one failure its own", () =>
    withGate(4, 40, "click-7", (gate) =>
      Effect.gen(function* () {
        const t = target({ url: `${gate.origin}/track?cks={click_id}`, hostConcurrency: 4 })
        const outcomes = yield* PostbackChannel.sendBatch!(batch(40, t)).pipe(withEnv({}))
        expect(gate.clicks.toSorted()).toEqual(Array.from({ length: 40 }, (_, i) => `click-${i + 1}`).toSorted())
        expect(gate.maxInFlight()).toBe(4)
        // Kept alive: 40 requests over a handful of connections. A connection returns to undici's pool
        // a moment after its response body ends, so the next postback may open a second one: at most
        // twice the limit, never one per request.
        expect(gate.connections()).toBeLessThanOrEqual(8)
        outcomes.forEach((outcome, i) => {
          if (i === 6) {
            if (Either.isRight(outcome)) throw new Error("expected the 500 to fail")
            expect([outcome.left.reason, outcome.left.retryable, outcome.left.status]).toEqual([
              "ServerError",
              true,
              500
            ])
            return
          }
          if (Either.isLeft(outcome) || outcome.right._tag !== "Delivered") throw new Error(`expected Delivered (${i})`)
          expect(outcome.right.dedupKey).toBe(`shop-de:${i + 1}`)
          expect(outcome.right.exchanges[0]?.request.url).toBe(`${gate.origin}/track?cks=click-${i + 1}`)
        })
      })
    )
  )

  it.effect("without hostConcurrency a batch keeps 8 in flight to one host", () =>
    withGate(8, 24, "none", (gate) =>
      Effect.gen(function* () {
        const t = target({ url: `${gate.origin}/track?cks={click_id}` })
        const outcomes = yield* PostbackChannel.sendBatch!(batch(24, t)).pipe(withEnv({}))
        expect(gate.maxInFlight()).toBe(8)
        expect(gate.connections()).toBeLessThanOrEqual(16)
        expect(outcomes.every(Either.isRight)).toBe(true)
      })
    )
  )

  it.effect("a skipped order (no click id) is its own outcome and sends nothing", () =>
    withGate(2, 2, "none", (gate) =>
      Effect.gen(function* () {
        const t = target({ url: `${gate.origin}/track?cks={click_id}` })
        const [a, b] = batch(2, t)
        const none = { ...a!, order: { ...tracking({ clickIds: {} }), orderKey: "shop-de:none" } }
        const outcomes = yield* PostbackChannel.sendBatch!([a!, none, b!]).pipe(withEnv({}))
        expect(outcomes.map((o) => (Either.isRight(o) ? o.right._tag : o.left.reason))).toEqual([
          "Delivered",
          "Skipped",
          "Delivered"
        ])
        expect(gate.clicks.toSorted()).toEqual(["click-1", "click-2"])
      })
    )
  )
})
