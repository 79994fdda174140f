import { describe, expect, it } from "vitest"
import { acknowledgement, identifiersSent } from "../../src/console/facts/exchange.js"
import type { HttpExchange } from "../../src/events/dispatch.js"

const exchange = (body: unknown, response?: { status: number; body: unknown }): HttpExchange => ({
  request: { method: "POST", url: "https://example.test", headers: {}, body: JSON.stringify(body) },
  ...(response === undefined
    ? {}
    : {
        response: {
          status: response.status,
          headers: {},
          body: typeof response.body === "string" ? response.body : JSON.stringify(response.body),
          truncated: false
        }
      }),
  durationMs: 12
})

const H = "a".repeat(64)

describe("identifiers sent", () => {
  it("reads Meta's user_data", () => {
    const body = {
      data: [
        {
          event_name: "Purchase",
          user_data: {
            em: [H],
            ph: [H],
            fn: [H],
            ct: [],
            external_id: [H],
            client_ip_address: "203.0.113.9",
            client_user_agent: "UA",
            fbc: "fb.1.x",
            fbp: "fb.1.y"
          }
        }
      ]
    }
    expect(identifiersSent(exchange(body))).toEqual([
      "email",
      "phone",
      "address",
      "external_id",
      "click_id",
      "browser_id",
      "ip",
      "user_agent"
    ])
    expect(identifiersSent(exchange({ data: [{ user_data: { em: [""], ph: [], fbp: "fb.1.y" } }] }))).toEqual([
      "browser_id"
    ])
  })

  it("reads Data Manager's userIdentifiers and adIdentifiers", () => {
    const body = {
      destinations: [{ productDestinationId: "1" }],
      events: [
        {
          transactionId: "t",
          adIdentifiers: { gbraid: "G" },
          userData: { userIdentifiers: [{ emailAddress: H }, { phoneNumber: H }] },
          consent: { adUserData: "CONSENT_GRANTED" }
        }
      ]
    }
    expect(identifiersSent(exchange(body))).toEqual(["email", "phone", "click_id"])
  })

  it("reads the Google Ads API's ClickConversion", () => {
    const body = { conversions: [{ gclid: "Cj0", order_id: "1", user_identifiers: [{ hashed_email: H }] }] }
    expect(identifiersSent(exchange(body))).toEqual(["email", "click_id"])
  })

  it("finds none in a body that is not JSON, or without a body", () => {
    expect(
      identifiersSent({ ...exchange({}), request: { method: "GET", url: "https://p.test/?cks=1", headers: {} } })
    ).toEqual([])
    expect(
      identifiersSent({ ...exchange({}), request: { method: "POST", url: "x", headers: {}, body: "em=x" } })
    ).toEqual([])
    expect(identifiersSent(undefined)).toEqual([])
  })
})

describe("platform acknowledgement", () => {
  it("is Meta's events_received, at least one", () => {
    expect(
      acknowledgement("meta-capi", exchange({}, { status: 200, body: { events_received: 1, fbtrace_id: "x" } }))
    ).toBe("events_received=1")
    expect(acknowledgement("meta-capi", exchange({}, { status: 200, body: { events_received: 0 } }))).toBeUndefined()
    expect(acknowledgement("meta-capi", exchange({}, { status: 200, body: "ok" }))).toBeUndefined()
  })

  it("is Data Manager's requestId, or the Google Ads API's results without partial failures", () => {
    expect(acknowledgement("google-ads", exchange({}, { status: 200, body: { requestId: "r-1" } }))).toBe(
      "requestId=r-1"
    )
    expect(acknowledgement("google-ads", exchange({}, { status: 200, body: { results: [{ gclid: "x" }] } }))).toBe(
      "results=1"
    )
    expect(
      acknowledgement(
        "google-ads",
        exchange({}, { status: 200, body: { results: [{}], partial_failure_errors: [{}] } })
      )
    ).toBeUndefined()
    expect(acknowledgement("google-ads", exchange({}, { status: 200, body: {} }))).toBeUndefined()
  })

  it("is a postback's 2xx, and never an error status or a missing response", () => {
    expect(acknowledgement("postback", exchange({}, { status: 204, body: "" }))).toBe("HTTP 204")
    expect(acknowledgement("postback", exchange({}, { status: 500, body: "" }))).toBeUndefined()
    expect(acknowledgement("meta-capi", exchange({}, { status: 400, body: { events_received: 1 } }))).toBeUndefined()
    expect(acknowledgement("meta-capi", exchange({}))).toBeUndefined()
  })
})
