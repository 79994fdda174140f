// Room for a webhook's body before it is read (lib/byteBudget.ts says why): a request waits for it
// and, when none frees up in time, is answered 503 unread, so a burst of large bodies is held back at
// the senders instead of buffered here.
import type { IncomingMessage } from "node:http"
import { Effect, type Scope } from "effect"
import { type ByteBudget, makeByteBudget } from "../lib/byteBudget.js"
import { MAX_BODY_BYTES } from "./body.js"

/** At least one body of the largest size fits, whatever INGEST_MAX_BYTES_IN_FLIGHT says. */
export const makeBodyBudget = (maxBytesInFlight: number, waitMs: number): BodyBudget => ({
  bytes: makeByteBudget(Math.max(maxBytesInFlight, MAX_BODY_BYTES)),
  waitMs
})

/** The budget and how long a webhook waits for room in it (INGEST_BODY_WAIT_MS). */
export interface BodyBudget {
  readonly bytes: ByteBudget
  readonly waitMs: number
}

/**
 * Reserves room for the request's body until the scope closes; false when none came in time. A body
 * declared over the limit reserves nothing (readBody refuses it unread), and one of unknown length may
 * be anything up to the limit.
 */
export const reserveBody = (budget: BodyBudget, message: IncomingMessage): Effect.Effect<boolean, never, Scope.Scope> =>
  Effect.gen(function* () {
    const declared = Number(message.headers["content-length"])
    const reserve = Number.isFinite(declared) && declared >= 0 ? declared : MAX_BODY_BYTES
    if (reserve > MAX_BODY_BYTES) return true
    const room = yield* Effect.promise(() => budget.bytes.acquire(reserve, budget.waitMs))
    if (room) yield* Effect.addFinalizer(() => Effect.sync(() => budget.bytes.release(reserve)))
    return room
  })
