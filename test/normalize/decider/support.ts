// Given/when/then for the order decider: given the events already on the stream, when an outcome
// arrives, then these events (emmett's DeciderSpecification, by hand).
import { Schema } from "effect"
import { expect } from "vitest"
import { AppEvent } from "../../../src/events/Events.js"
import { decide, foldOrder, type OrderState } from "../../../src/normalize/normalize.js"
import type { NormalizationOutcome } from "../../../src/normalize/outcome.js"
import { normalizeFixture, SOURCES } from "../support.js"

const roundTrip = (event: AppEvent): AppEvent => Schema.decodeUnknownSync(AppEvent)(Schema.encodeSync(AppEvent)(event))

/** Runs outcomes through decide/evolve in order, as the worker would; every event must survive the store's schema. */
export const run = (
  outcomes: ReadonlyArray<NormalizationOutcome>,
  from?: OrderState
): { state: OrderState; events: ReadonlyArray<AppEvent> } => {
  let state = foldOrder([], from)
  const events: Array<AppEvent> = []
  outcomes.forEach((outcome, i) => {
    const decided = decide(state, outcome, `wh-${i + 1}`)
    for (const event of decided) expect(roundTrip(event)).toEqual(event)
    events.push(...decided)
    state = foldOrder(decided, state)
  })
  return { state, events }
}

export const given = (...outcomes: ReadonlyArray<NormalizationOutcome>) => {
  const { state } = run(outcomes)
  return {
    state,
    when: (outcome: NormalizationOutcome, webhookId = "wh-new") => decide(state, outcome, webhookId)
  }
}

type SourceName = keyof typeof SOURCES
export const fx = (path: string, src: SourceName, topic?: string): NormalizationOutcome =>
  normalizeFixture(path, SOURCES[src], topic)

/** The Shopify #1042 lifecycle and friends, as outcomes. */
export const shopify = {
  created: () => fx("shopify/orders-create.json", "shopDe", "orders/create"),
  paid: () => fx("shopify/orders-paid.json", "shopDe", "orders/paid"),
  updated: () => fx("shopify/orders-updated.json", "shopDe", "orders/updated"),
  refundPartial: () => fx("shopify/refunds-create-partial.json", "shopDe", "refunds/create"),
  updatedRefunded: () => fx("shopify/orders-updated-partially-refunded.json", "shopDe", "orders/updated"),
  cancelled: () => fx("shopify/orders-cancelled.json", "shopDe", "orders/cancelled"),
  presentment: () => fx("shopify/orders-paid-presentment.json", "shopDe", "orders/paid"),
  refundFull: () => fx("shopify/refunds-create-full.json", "shopDe", "refunds/create"),
  test: () => fx("shopify/orders-paid-test.json", "shopDe", "orders/paid"),
  reship: () => fx("shopify/orders-paid-reship.json", "shopDe", "orders/paid")
}
