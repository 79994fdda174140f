import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeOrder } from "../support/orders.js"
import { sha } from "../support/run.js"
import {
  CREDENTIALS,
  dispatch,
  failure,
  ingestBody,
  ingestRequests,
  sendOnce,
  success,
  target,
  tokenRequests
} from "./support.js"

const GCLID = "Cj0KCQjw_example-GCLID_BwE"

describe("Data Manager request", () => {
  it.effect("exchanges the refresh token, then ingests one event for a German order, field by field", () =>
    Effect.gen(function* () {
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE")))
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /token", "POST /v1/events:ingest"])

      const token = tokenRequests(server)[0]!
      expect(token.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
        grant_type: "refresh_token",
        client_id: CREDENTIALS.client_id,
        client_secret: CREDENTIALS.client_secret,
        refresh_token: CREDENTIALS.refresh_token
      })

      const ingest = ingestRequests(server)[0]!
      expect(ingest.headers.authorization).toBe("Bearer ya29.token-1")
      expect(ingest.headers["content-type"]).toBe("application/json")
      expect(ingestBody(server)).toEqual({
        destinations: [
          {
            operatingAccount: { accountType: "GOOGLE_ADS", accountId: "1234567890" },
            productDestinationId: "987654321"
          }
        ],
        events: [
          {
            transactionId: "1001",
            eventTimestamp: "2026-03-10T09:05:30Z",
            eventSource: "WEB",
            conversionValue: 49.9,
            currency: "EUR",
            adIdentifiers: { gclid: GCLID },
            userData: {
              userIdentifiers: [
                { emailAddress: sha("anna.mueller@example.de") },
                { phoneNumber: sha("+4915123456789") }
              ]
            },
            consent: { adUserData: "CONSENT_GRANTED", adPersonalization: "CONSENT_GRANTED" }
          }
        ],
        encoding: "HEX"
      })
      const delivered = success(result)
      expect(delivered).toMatchObject({ _tag: "Delivered", dedupKey: "1001", alreadyRecorded: false })
      expect(delivered._tag === "Delivered" && delivered.detail).toContain("requestId=req-42")
    })
  )

  const markets = [
    ["FR", "jean-luc.picard@orange.fr", "+33612345678", "EUR"],
    ["GB", "oliversmith@googlemail.com", "+447911123456", "GBP"],
    ["US", "john_smith@gmail.com", "+16505551212", "USD"],
    ["CA", "emilytremblay@gmail.com", "+14165550199", "CAD"],
    ["SE", "lars.nilsson@telia.se", "+46701234567", "SEK"]
  ] as const
  for (const [market, email, phone, currency] of markets) {
    it.effect(`${market}: Google's email rules and an E.164 phone with +, hashed`, () =>
      Effect.gen(function* () {
        const { server } = yield* sendOnce(dispatch(makeOrder(market)))
        const event = ingestBody(server).events[0]
        expect(event.userData).toEqual({ userIdentifiers: [{ emailAddress: sha(email) }, { phoneNumber: sha(phone) }] })
        expect(event.currency).toBe(currency)
        expect(event.conversionValue).toBe(49.9)
      })
    )
  }

  it.effect("a manager account becomes loginAccount; validateOnly is passed and recorded as Skipped validated", () =>
    Effect.gen(function* () {
      const managed = { ...target, loginCustomerId: "5555555555", validateOnly: true }
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE"), { target: managed }))
      const body = ingestBody(server)
      expect(body.destinations).toEqual([
        {
          operatingAccount: { accountType: "GOOGLE_ADS", accountId: "1234567890" },
          loginAccount: { accountType: "GOOGLE_ADS", accountId: "5555555555" },
          productDestinationId: "987654321"
        }
      ])
      expect(body.validateOnly).toBe(true)
      // Nothing was ingested: not a delivery, so the order is sent for real once validateOnly is off.
      const skipped = success(result)
      expect(skipped).toMatchObject({ _tag: "Skipped", reason: "validated" })
      expect(skipped._tag === "Skipped" && skipped.detail).toContain("ingested nothing")
      expect(skipped.exchanges.map((e) => e.request.url.replace(server.url, ""))).toEqual([
        "/token",
        "/v1/events:ingest"
      ])
    })
  )

  it.effect("sends exactly one click id: gclid before gbraid before wbraid", () =>
    Effect.gen(function* () {
      const tracking = { ...makeOrder().tracking, gbraid: "0AAAAAgbraid_value", wbraid: "CjkKwbraid-value" }
      const { server } = yield* sendOnce(dispatch(makeOrder("DE", { tracking })))
      expect(ingestBody(server).events[0].adIdentifiers).toEqual({ gclid: GCLID })
    })
  )

  it.effect("drops a malformed gclid and falls back to the gbraid", () =>
    Effect.gen(function* () {
      const tracking = { ...makeOrder().tracking, gclid: "Cj0K%20bad gclid&utm=x", gbraid: "0AAAAAgbraid_value" }
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE", { tracking })))
      expect(ingestBody(server).events[0].adIdentifiers).toEqual({ gbraid: "0AAAAAgbraid_value" })
      const delivered = success(result)
      expect(delivered._tag === "Delivered" && delivered.detail).toContain("gclid dropped")
    })
  )

  it.effect("a wbraid-only order sends the wbraid", () =>
    Effect.gen(function* () {
      const { gclid: _g, ...rest } = makeOrder().tracking
      const { server } = yield* sendOnce(
        dispatch(makeOrder("US", { tracking: { ...rest, wbraid: "CjkKwbraid-value" } }))
      )
      expect(ingestBody(server).events[0].adIdentifiers).toEqual({ wbraid: "CjkKwbraid-value" })
    })
  )

  it.effect("without a click id, the hashed identifiers alone are sent (enhanced conversions for leads)", () =>
    Effect.gen(function* () {
      const { server } = yield* sendOnce(dispatch(makeOrder("FR", { tracking: { clickIds: {}, utm: {} } })))
      const event = ingestBody(server).events[0]
      expect(event).not.toHaveProperty("adIdentifiers")
      expect(event.userData.userIdentifiers).toHaveLength(2)
    })
  )
})

describe("Data Manager consent", () => {
  it.effect("denied ad_user_data: the click conversion goes without userData or encoding", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", { consent: { adUserData: "denied", adPersonalization: "denied" } })
      const { result, server } = yield* sendOnce(dispatch(order))
      const body = ingestBody(server)
      expect(body).not.toHaveProperty("encoding")
      expect(body.events[0]).not.toHaveProperty("userData")
      expect(body.events[0].adIdentifiers).toEqual({ gclid: GCLID })
      expect(body.events[0].consent).toEqual({ adUserData: "CONSENT_DENIED", adPersonalization: "CONSENT_DENIED" })
      expect(JSON.stringify(body)).not.toContain(sha("anna.mueller@example.de"))
      expect(success(result)._tag).toBe("Delivered")
    })
  )

  it.effect("denied ad_user_data and no click id: Skipped consent_denied, nothing sent", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", { consent: { adUserData: "denied" }, tracking: { clickIds: {}, utm: {} } })
      const { result, server } = yield* sendOnce(dispatch(order))
      expect(server.requests).toHaveLength(0)
      expect(success(result)).toMatchObject({ _tag: "Skipped", reason: "consent_denied" })
    })
  )

  it.effect("no signal on the order: the target's defaultConsent is sent", () =>
    Effect.gen(function* () {
      const order = makeOrder("US", { consent: {} })
      const { server } = yield* sendOnce(dispatch(order, { target: { ...target, defaultConsent: "granted" } }))
      expect(ingestBody(server).events[0].consent).toEqual({
        adUserData: "CONSENT_GRANTED",
        adPersonalization: "CONSENT_GRANTED"
      })
    })
  )

  it.effect("defaultConsent unspecified is sent as CONSENT_STATUS_UNSPECIFIED, only because it is configured", () =>
    Effect.gen(function* () {
      const order = makeOrder("US", { consent: {} })
      const { server } = yield* sendOnce(dispatch(order, { target: { ...target, defaultConsent: "unspecified" } }))
      expect(ingestBody(server).events[0].consent).toEqual({
        adUserData: "CONSENT_STATUS_UNSPECIFIED",
        adPersonalization: "CONSENT_STATUS_UNSPECIFIED"
      })
    })
  )

  it.effect("a missing ad_personalization signal is sent as denied, never assumed", () =>
    Effect.gen(function* () {
      const { server } = yield* sendOnce(dispatch(makeOrder("DE", { consent: { adUserData: "granted" } })))
      expect(ingestBody(server).events[0].consent).toEqual({
        adUserData: "CONSENT_GRANTED",
        adPersonalization: "CONSENT_DENIED"
      })
    })
  )

  it.effect("no signal and no defaultConsent: a Configuration error, nothing sent", () =>
    Effect.gen(function* () {
      const { result, server } = yield* sendOnce(dispatch(makeOrder("DE", { consent: {} })))
      expect(server.requests).toHaveLength(0)
      const error = failure(result)
      expect(error.reason).toBe("Configuration")
      expect(error.retryable).toBe(false)
      expect(error.detail).toContain("defaultConsent")
    })
  )
})

describe("Data Manager adjustments", () => {
  it.effect("a partial refund resends the same transactionId with the new total", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", { status: "partially_refunded", refundedMinor: 2000 })
      const { result, server } = yield* sendOnce(dispatch(order, { kind: "restatement", valueMinor: 2990 }))
      const event = ingestBody(server).events[0]
      expect(event.transactionId).toBe("1001")
      expect(event.conversionValue).toBe(29.9)
      expect(event.eventTimestamp).toBe("2026-03-10T09:05:30Z")
      expect(event.adIdentifiers).toEqual({ gclid: GCLID })
      expect(success(result)).toMatchObject({ _tag: "Delivered", dedupKey: "1001" })
    })
  )

  it.effect("without valueMinor a restatement uses the order's value minus refunds", () =>
    Effect.gen(function* () {
      const order = makeOrder("GB", { status: "partially_refunded", refundedMinor: 990 })
      const { server } = yield* sendOnce(dispatch(order, { kind: "restatement" }))
      expect(ingestBody(server).events[0].conversionValue).toBe(40)
    })
  )

  it.effect("a full refund restates the same transactionId to 0 (the Data Manager API cannot retract)", () =>
    Effect.gen(function* () {
      const order = makeOrder("DE", { status: "refunded", refundedMinor: 4990 })
      const { result, server } = yield* sendOnce(dispatch(order, { kind: "retraction" }))
      expect(ingestRequests(server)).toHaveLength(1)
      expect(ingestBody(server).events).toEqual([
        {
          transactionId: "1001",
          eventTimestamp: "2026-03-10T09:05:30Z",
          eventSource: "WEB",
          conversionValue: 0,
          currency: "EUR",
          adIdentifiers: { gclid: GCLID },
          userData: {
            userIdentifiers: [{ emailAddress: sha("anna.mueller@example.de") }, { phoneNumber: sha("+4915123456789") }]
          },
          consent: { adUserData: "CONSENT_GRANTED", adPersonalization: "CONSENT_GRANTED" }
        }
      ])
      const delivered = success(result)
      expect(delivered).toMatchObject({ _tag: "Delivered", dedupKey: "1001", alreadyRecorded: false })
      expect(delivered._tag === "Delivered" && delivered.detail).toContain("restated to 0")
    })
  )
})
