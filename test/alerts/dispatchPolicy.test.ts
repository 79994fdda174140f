import { describe, expect, it } from "vitest"
import { type AlertingDispatchEvent, alertForDispatchEvent } from "../../src/alerts/dispatchPolicy.js"
import { CUSTOMER_EMAIL, makeOrder } from "./support/orders.js"

const order = makeOrder({
  fbp: "fb.1.1.2",
  utm: { source: "google", medium: "cpc", campaign: "spring-sale" },
  landingUrl: "https://shop.example/products/vitamin-d3?utm_source=google"
})

const skipped = (
  reason: "missing_identifiers" | "consent_denied" | "target_disabled" | "event_too_old" | "unsupported"
) =>
  ({
    _tag: "DispatchSkipped",
    orderKey: "shop-de:1001",
    targetId: "google-acme",
    kind: "conversion",
    reason,
    detail: "no gclid, gbraid or wbraid and no consent-cleared contact data"
  }) as const

const failed = (retryable: boolean) =>
  ({
    _tag: "DispatchFailed",
    orderKey: "shop-de:1001",
    targetId: "meta-acme",
    kind: "conversion",
    attempt: 1,
    reason: "Unauthorized",
    retryable,
    message: `Invalid OAuth access token (code 190) for ${CUSTOMER_EMAIL}`,
    status: 400
  }) as const

const deadLettered = {
  _tag: "DispatchDeadLettered",
  orderKey: "shop-de:1001",
  targetId: "awin",
  kind: "conversion",
  attempts: 12,
  reason: "ServerError",
  message: "HTTP 503 from www.awin1.com"
} as const

const circuit = {
  _tag: "CircuitOpened",
  targetId: "awin",
  consecutiveFailures: 20,
  lastReason: "Transport: connect ECONNREFUSED",
  until: "2026-03-10T10:15:00.000Z"
} as const

describe("alertForDispatchEvent: which events alert", () => {
  const table: ReadonlyArray<readonly [string, AlertingDispatchEvent, string | undefined]> = [
    ["skipped for missing identifiers", skipped("missing_identifiers"), "dispatch_skipped"],
    ["skipped for denied consent", skipped("consent_denied"), "dispatch_skipped"],
    ["skipped because the target is disabled (an operator's choice)", skipped("target_disabled"), undefined],
    ["skipped because the event is too old", skipped("event_too_old"), undefined],
    ["skipped as unsupported", skipped("unsupported"), undefined],
    ["failed, will retry", failed(true), undefined],
    ["failed for good (permanent rejection)", failed(false), "dispatch_rejected"],
    ["dead-lettered", deadLettered, "dead_letter"],
    ["circuit opened", circuit, "circuit_open"]
  ]
  it.each(table)("%s -> %s", (_, event, problem) => {
    expect(alertForDispatchEvent(event, order)?.problem).toBe(problem)
  })
})

describe("alertForDispatchEvent: what the alerts say", () => {
  it("a skip names the campaign and landing page, grouped by campaign and target:reason", () => {
    expect(alertForDispatchEvent(skipped("missing_identifiers"), order)).toEqual({
      _tag: "AlertRaised",
      alertId: "dispatch_skipped:shop-de:1001:google-acme:conversion:missing_identifiers",
      problem: "dispatch_skipped",
      groupKey: "acme|(none)|spring-sale|dispatch_skipped|google-acme:missing_identifiers",
      orderKey: "shop-de:1001",
      targetId: "google-acme",
      company: "acme",
      market: "DE",
      campaign: "spring-sale",
      landingUrl: "shop.example/products/vitamin-d3",
      summary: "Conversion of shop-de:1001 not sent to google-acme: it carries no identifier this target can match",
      details: {
        orderKey: "shop-de:1001",
        market: "DE",
        value: { amountMinor: 4990, currency: "EUR" },
        utm: { source: "google", medium: "cpc", campaign: "spring-sale" },
        landingQueryKeys: ["utm_source"],
        present: ["fbp"],
        targetId: "google-acme",
        kind: "conversion",
        reason: "missing_identifiers",
        message: "no gclid, gbraid or wbraid and no consent-cleared contact data",
        hint: expect.stringContaining("probably lost")
      }
    })
  })

  it("uses the order's partner in the group key", () => {
    const alert = alertForDispatchEvent(skipped("consent_denied"), makeOrder({}, { partner: "google" }))
    expect(alert?.groupKey).toBe("acme|google|(none)|dispatch_skipped|google-acme:consent_denied")
    expect(alert?.partner).toBe("google")
  })

  it("a permanent rejection groups by target and reason across campaigns, and scrubs emails from the partner's words", () => {
    const alert = alertForDispatchEvent(failed(false), order)
    expect(alert).toMatchObject({
      alertId: "dispatch_rejected:shop-de:1001:meta-acme:conversion:1",
      groupKey: "acme|(none)|*|dispatch_rejected|meta-acme:Unauthorized",
      campaign: "spring-sale",
      targetId: "meta-acme",
      summary: "meta-acme rejected the conversion of shop-de:1001 for good (Unauthorized)",
      details: {
        reason: "Unauthorized",
        status: 400,
        attempts: 1,
        message: "Invalid OAuth access token (code 190) for [email]"
      }
    })
    expect(JSON.stringify(alert)).not.toContain(CUSTOMER_EMAIL)
  })

  it("a dead letter says whether the attempt budget or the retry horizon ended it", () => {
    const budget = alertForDispatchEvent({ ...deadLettered, cause: "attempts" })!
    expect(budget.summary).toBe(
      "Gave up sending shop-de:1001 to awin after 12 attempts (ServerError; its attempt budget is spent)"
    )
    expect(budget.details).toMatchObject({ cause: "attempts", hint: expect.stringContaining("retry.maxAttempts") })
    const horizon = alertForDispatchEvent({
      ...deadLettered,
      cause: "horizon",
      detail: "the next attempt would fall after the retry horizon (72 h)"
    })!
    expect(horizon.summary).toContain("its retry horizon ran out")
    expect(horizon.details).toMatchObject({ cause: "horizon", hint: expect.stringContaining("retry horizon is over") })
    // Recorded before the cause had its own field: read from the reason, which keeps only the error.
    const old = alertForDispatchEvent({ ...deadLettered, reason: "ServerError: gave up after 12 attempts" })!
    expect(old.summary).toBe(
      "Gave up sending shop-de:1001 to awin after 12 attempts (ServerError; its attempt budget is spent)"
    )
  })

  it("a dead letter without the order still alerts, with what the event knows", () => {
    expect(alertForDispatchEvent(deadLettered)).toEqual({
      _tag: "AlertRaised",
      alertId: "dead_letter:shop-de:1001:awin:conversion:12",
      problem: "dead_letter",
      groupKey: "(none)|(none)|(none)|dead_letter|awin:ServerError",
      orderKey: "shop-de:1001",
      targetId: "awin",
      summary: "Gave up sending shop-de:1001 to awin after 12 attempts (ServerError)",
      details: {
        orderKey: "shop-de:1001",
        targetId: "awin",
        kind: "conversion",
        reason: "ServerError",
        message: "HTTP 503 from www.awin1.com",
        attempts: 12,
        hint: expect.stringContaining("re-dispatch")
      }
    })
  })

  it("ignores an order that is not the event's", () => {
    const other = makeOrder({ utm: { campaign: "x" } }, { orderKey: "shop-de:2002" })
    expect(alertForDispatchEvent(deadLettered, other)?.company).toBeUndefined()
  })

  it("an open circuit is one group per target", () => {
    expect(alertForDispatchEvent(circuit)).toEqual({
      _tag: "AlertRaised",
      alertId: "circuit_open:awin:2026-03-10T10:15:00.000Z",
      problem: "circuit_open",
      groupKey: "*|*|*|circuit_open|awin",
      targetId: "awin",
      summary: "awin paused after 20 consecutive failures, until 2026-03-10T10:15:00.000Z",
      details: {
        targetId: "awin",
        consecutiveFailures: 20,
        reason: "Transport: connect ECONNREFUSED",
        until: "2026-03-10T10:15:00.000Z",
        hint: expect.any(String)
      }
    })
  })
})
