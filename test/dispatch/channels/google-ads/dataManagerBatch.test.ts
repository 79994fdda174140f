import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { DispatchInput } from "../../../../src/dispatch/Channel.js"
import type { GoogleAdsTarget } from "../../../../src/events/configSchema.js"
import type { Received, Reply } from "../support/fakeServer.js"
import { makeOrder } from "../support/orders.js"
import { withEnv } from "../support/run.js"
import { dispatch, envFor, ingestRequests, tokenRequests, withGoogle } from "./support.js"

const inputs = (n: number): Array<DispatchInput<GoogleAdsTarget>> =>
  Array.from({ length: n }, (_, i) =>
    dispatch(makeOrder("DE", { orderKey: `shop-de:${i + 1}`, platformOrderId: String(i + 1) }))
  )

const ids = (request: Received): Array<string> =>
  (JSON.parse(request.body) as { events: Array<{ transactionId: string }> }).events.map((e) => e.transactionId)

const byId = (id: string | undefined) => Number(id)

/** Ingests every request, unless it holds `bad`: then fails it as the Data Manager API does (fast-fail). */
const refusing =
  (bad: string) =>
  (request: Received): Reply =>
    ids(request).includes(bad)
      ? {
          status: 400,
          body: {
            error: {
              code: 400,
              message: "Request contains an invalid argument.",
              status: "INVALID_ARGUMENT",
              details: [
                {
                  "@type": "type.googleapis.com/google.rpc.BadRequest",
                  fieldViolations: [{ field: "events[3].adIdentifiers.gclid", reason: "INVALID_GCLID" }]
                }
              ]
            }
          }
        }
      : { status: 200, body: { requestId: `req-${ids(request).length}` } }

const run = (ingest: (request: Received) => Reply, batch: ReadonlyArray<DispatchInput<GoogleAdsTarget>>) =>
  withGoogle({ ingest }, (channel, server) =>
    channel.sendBatch!(batch).pipe(
      withEnv(envFor(server)),
      Effect.map((outcomes) => ({ outcomes, server }))
    )
  )

describe("Data Manager sendBatch", () => {
  it.effect(
    "2,001 events: requests of 2,000 and 1 with one token, each event recorded alone",
    () =>
      Effect.gen(function* () {
        const batch = inputs(2001)
        const { outcomes, server } = yield* run(refusing("none"), batch)
        expect(tokenRequests(server)).toHaveLength(1)
        const requests = ingestRequests(server)
          .map(ids)
          .sort((a, b) => byId(a[0]) - byId(b[0]))
        expect(requests.map((r) => r.length)).toEqual([2000, 1])
        expect(requests.flat()).toEqual(batch.map((b) => b.order.platformOrderId))
        for (const request of ingestRequests(server)) {
          expect(request.headers.authorization).toBe("Bearer ya29.token-1")
          const body = JSON.parse(request.body) as { destinations: Array<unknown>; encoding?: string }
          expect(body.destinations).toHaveLength(1)
          expect(body.encoding).toBe("HEX")
        }
        outcomes.forEach((outcome, i) => {
          if (Either.isLeft(outcome) || outcome.right._tag !== "Delivered") throw new Error("expected Delivered")
          expect(outcome.right.dedupKey).toBe(String(i + 1))
          expect(outcome.right.detail).toContain(`requestId=req-${i < 2000 ? 2000 : 1}`)
          // The token fetch (in the items of the request that fetched it; the other took it from the
          // cache), then the ingest request with this event only; the token never recorded.
          const urls = outcome.right.exchanges.map((x) => x.request.url)
          expect(urls.slice(-1)).toEqual([`${server.url}/v1/events:ingest`])
          expect(urls.slice(0, -1)).toEqual(urls.length === 2 ? [`${server.url}/token`] : [])
          const recorded = JSON.parse(outcome.right.exchanges.at(-1)?.request.body ?? "{}") as {
            events: Array<{ transactionId: string }>
          }
          expect(recorded.events.map((e) => e.transactionId)).toEqual([String(i + 1)])
          expect(JSON.stringify(outcome.right.exchanges)).not.toContain("ya29.token-1")
        })
      }),
    // Thousands of events built, sent and checked: slow on a loaded 2-core machine.
    120_000
  )

  it.effect("a request refused for one event is split until that event is alone; the others are ingested", () =>
    Effect.gen(function* () {
      const { outcomes, server } = yield* run(refusing("3"), inputs(5))
      const sent = ingestRequests(server)
        .map(ids)
        .sort((a, b) => b.length - a.length || byId(a[0]) - byId(b[0]))
      // 5 refused -> [1,2,3] refused, [4,5] ok -> [1,2] ok, [3] refused.
      expect(sent).toEqual([["1", "2", "3", "4", "5"], ["1", "2", "3"], ["1", "2"], ["4", "5"], ["3"]])
      expect(tokenRequests(server)).toHaveLength(1)
      expect(outcomes.map((o) => (Either.isRight(o) ? o.right._tag : o.left.reason))).toEqual([
        "Delivered",
        "Delivered",
        "InvalidPayload",
        "Delivered",
        "Delivered"
      ])
      const bad = outcomes[2]
      if (bad === undefined || Either.isRight(bad)) throw new Error("expected an error")
      expect(bad.left.retryable).toBe(false)
      expect(bad.left.detail).toContain("INVALID_GCLID")
    })
  )

  it.effect("quota and server errors concern every event: one request, no split, each event retried", () =>
    Effect.gen(function* () {
      for (const [status, canonical, reason] of [
        [429, "RESOURCE_EXHAUSTED", "RateLimited"],
        [503, "UNAVAILABLE", "ServerError"],
        [403, "PERMISSION_DENIED", "Unauthorized"]
      ] as const) {
        const { outcomes, server } = yield* run(
          () => ({ status, body: { error: { code: status, message: "no", status: canonical } } }),
          inputs(6)
        )
        expect(ingestRequests(server)).toHaveLength(1)
        expect(outcomes.map((o) => (Either.isLeft(o) ? o.left.reason : "delivered"))).toEqual(Array(6).fill(reason))
      }
    })
  )

  it.effect("a duplicate in a batch is found by splitting and counts as already recorded", () =>
    Effect.gen(function* () {
      const duplicate = (request: Received): Reply =>
        ids(request).includes("2")
          ? {
              status: 400,
              body: {
                error: {
                  code: 400,
                  message: "duplicate",
                  status: "INVALID_ARGUMENT",
                  details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "DUPLICATE_TRANSACTION_ID" }]
                }
              }
            }
          : { status: 200, body: { requestId: "r" } }
      const { outcomes } = yield* run(duplicate, inputs(3))
      expect(
        outcomes.map((o) => (Either.isRight(o) && o.right._tag === "Delivered" ? o.right.alreadyRecorded : o))
      ).toEqual([false, true, false])
    })
  )
})
