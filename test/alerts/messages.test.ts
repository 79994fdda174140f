import { describe, expect, it } from "vitest"
import type { Alert } from "../../src/alerts/alert.js"
import type { Block, SlackMessage } from "../../src/alerts/blocks.js"
import { alertForDispatchEvent } from "../../src/alerts/dispatchPolicy.js"
import { decide, due, emptyGrouping, repeatDigestAlert } from "../../src/alerts/grouping.js"
import { messageFor } from "../../src/alerts/index.js"
import { formatMoney } from "../../src/alerts/messages.js"
import { alertsForOrder } from "../../src/alerts/trackingPolicy.js"
import { CUSTOMER_EMAIL, makeOrder, NOW, partners } from "./support/orders.js"

const PUBLIC = { publicUrl: "https://s2s.acme.example/" }

const googleOrder = makeOrder({
  fbp: "fb.1.1700000000000.123",
  utm: { source: "google", medium: "cpc", campaign: "spring-sale" },
  landingUrl: "https://shop.example/products/vitamin-d3?utm_source=google&utm_campaign=spring-sale",
  referrer: "https://www.google.com/"
})
const only = (alerts: ReadonlyArray<Alert>): Alert => {
  expect(alerts).toHaveLength(1)
  return alerts[0]!
}

const texts = (block: Block | undefined): ReadonlyArray<string> => {
  if (block === undefined) return []
  switch (block.type) {
    case "header":
    case "section":
      return "text" in block ? [block.text.text] : block.fields.map((f) => f.text)
    case "context":
      return block.elements.map((e) => e.text)
    case "divider":
      return []
  }
}
const allText = (message: SlackMessage): string => [message.text, ...message.blocks.flatMap(texts)].join("\n")

describe("contradicting tracking message, field by field", () => {
  const message = messageFor(only(alertsForOrder(googleOrder, { partners, now: NOW })), PUBLIC)

  it("has a notification text and the block layout", () => {
    expect(message.text).toBe(
      "Paid order shop-de:1001 (DE) has utm_source=google but no gclid/gbraid/wbraid (campaign spring-sale)"
    )
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "context"])
  })

  it("says what happened", () => {
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":warning: google click id missing", emoji: true }
    })
    expect(texts(message.blocks[1])).toEqual([
      "Paid order `shop-de:1001` (49.90 EUR) has `utm_source=google` but no `gclid` / `gbraid` / `wbraid`: " +
        "*google* cannot match this conversion.\nIdentifiers that did arrive: `fbp`"
    ])
  })

  it("names company, market, partner, campaign and the landing page that probably lost the parameter", () => {
    expect(texts(message.blocks[2])).toEqual([
      "*Company*\nacme",
      "*Market*\nDE",
      "*Partner*\ngoogle",
      "*Campaign*\n`spring-sale`",
      "*Source / medium*\n`google` / `cpc`",
      "*Landing page (probably lost the parameter)*\n`shop.example/products/vitamin-d3`\nquery: `utm_source` `utm_campaign`",
      "*Referrer*\nwww.google.com",
      "*Order value*\n49.90 EUR"
    ])
  })

  it("gives a probable cause and the order log as link and CLI command", () => {
    expect(texts(message.blocks[3])[0]).toMatch(/^:bulb: The visit is tagged as Google Ads/)
    expect(texts(message.blocks[4])).toEqual([
      "Order log: <https://s2s.acme.example/api/v1/orders/shop-de%3A1001/events|shop-de:1001> · `s2s orders log shop-de:1001`"
    ])
  })

  it("without alerts.publicUrl only the CLI form is given", () => {
    const plain = messageFor(only(alertsForOrder(googleOrder, { partners, now: NOW })))
    expect(texts(plain.blocks[4])).toEqual(["Order log: `s2s orders log shop-de:1001`"])
  })
})

describe("missing tracking message", () => {
  const message = messageFor(only(alertsForOrder(makeOrder({ landingUrl: "/" }), { partners, now: NOW })), PUBLIC)
  it("says no click id and no UTM, with the fields a marketer can act on", () => {
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":mag: Purchase without any tracking", emoji: true }
    })
    expect(texts(message.blocks[1])[0]).toBe(
      "Paid order `shop-de:1001` (49.90 EUR) arrived with *no click id and no UTM parameters*, so no ad or affiliate partner can be credited for it."
    )
    expect(texts(message.blocks[2])).toEqual([
      "*Company*\nacme",
      "*Market*\nDE",
      "*Partner*\n_none recognised_",
      "*Campaign*\n_none_",
      "*Landing page (probably lost the parameter)*\n`/`\nno query parameters",
      "*Order value*\n49.90 EUR"
    ])
  })
})

describe("dispatch messages", () => {
  it("skipped: target, reason, the partner's words and where the click id was lost", () => {
    const alert = alertForDispatchEvent(
      {
        _tag: "DispatchSkipped",
        orderKey: "shop-de:1001",
        targetId: "google-acme",
        kind: "conversion",
        reason: "missing_identifiers",
        detail: "no gclid, gbraid or wbraid"
      },
      googleOrder
    )!
    const message = messageFor(alert, PUBLIC)
    expect(message.text).toBe(
      "Conversion of shop-de:1001 not sent to google-acme: it carries no identifier this target can match"
    )
    expect(message.blocks[0]).toMatchObject({ text: { text: ":no_entry_sign: Conversion not sent to google-acme" } })
    expect(texts(message.blocks[1])).toEqual([
      "Order `shop-de:1001` (49.90 EUR) was routed to *google-acme* but not sent: it carries no identifier this target " +
        "can match.\n>no gclid, gbraid or wbraid\nIdentifiers that did arrive: `fbp`"
    ])
    expect(texts(message.blocks[2])).toContain("*Target*\ngoogle-acme")
    expect(texts(message.blocks[2])).toContain(
      "*Landing page (probably lost the parameter)*\n`shop.example/products/vitamin-d3`\nquery: `utm_source` `utm_campaign`"
    )
  })

  it("skipped for denied consent: no landing page blamed", () => {
    const alert = alertForDispatchEvent(
      {
        _tag: "DispatchSkipped",
        orderKey: "shop-de:1001",
        targetId: "meta-acme",
        kind: "conversion",
        reason: "consent_denied",
        detail: "ad_user_data denied"
      },
      googleOrder
    )!
    const message = messageFor(alert)
    expect(texts(message.blocks[1])[0]).toContain(
      "not sent: the customer denied consent for ad data.\n>ad_user_data denied"
    )
    expect(texts(message.blocks[2]).some((t) => t.startsWith("*Landing page"))).toBe(false)
  })

  it("rejected: reason, HTTP status and no landing page (the partner said no, nothing was lost)", () => {
    const alert = alertForDispatchEvent(
      {
        _tag: "DispatchFailed",
        orderKey: "shop-de:1001",
        targetId: "meta-acme",
        kind: "conversion",
        attempt: 1,
        reason: "Unauthorized",
        retryable: false,
        message: "Invalid OAuth access token",
        status: 400
      },
      googleOrder
    )!
    const message = messageFor(alert, PUBLIC)
    expect(message.blocks[0]).toMatchObject({ text: { text: ":x: meta-acme rejected a conversion" } })
    expect(texts(message.blocks[1])).toEqual([
      "*meta-acme* rejected order `shop-de:1001` (49.90 EUR) (`Unauthorized`, HTTP 400); it will not be retried.\n>Invalid OAuth access token"
    ])
    expect(texts(message.blocks[2])).toEqual([
      "*Company*\nacme",
      "*Market*\nDE",
      "*Partner*\n_none recognised_",
      "*Target*\nmeta-acme",
      "*Campaign*\n`spring-sale`",
      "*Order value*\n49.90 EUR"
    ])
  })

  it("dead letter: attempts and the last error", () => {
    const alert = alertForDispatchEvent({
      _tag: "DispatchDeadLettered",
      orderKey: "shop-de:1001",
      targetId: "awin",
      kind: "conversion",
      attempts: 12,
      reason: "ServerError",
      message: "HTTP 503"
    })!
    const message = messageFor(alert)
    expect(message.blocks[0]).toMatchObject({ text: { text: ":skull: Conversion given up: awin" } })
    expect(texts(message.blocks[1])).toEqual([
      "Sending order `shop-de:1001` to *awin* failed 12 times and was given up (`ServerError`).\n>HTTP 503"
    ])
    const budget = messageFor(
      alertForDispatchEvent({
        _tag: "DispatchDeadLettered",
        orderKey: "shop-de:1001",
        targetId: "awin",
        kind: "conversion",
        attempts: 2,
        reason: "ServerError",
        message: "HTTP 500",
        cause: "attempts"
      })!
    )
    expect(texts(budget.blocks[1])).toEqual([
      "Sending order `shop-de:1001` to *awin* failed 2 times, every attempt its retry policy allows (`ServerError`).\n>HTTP 500"
    ])
  })

  it("open circuit: no order, the pause and the last reason", () => {
    const alert = alertForDispatchEvent({
      _tag: "CircuitOpened",
      targetId: "awin",
      consecutiveFailures: 20,
      lastReason: "Transport: connect ECONNREFUSED",
      until: "2026-03-10T10:15:00.000Z"
    })!
    const message = messageFor(alert, PUBLIC)
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section"])
    expect(texts(message.blocks[1])).toEqual([
      "*awin* failed for 20 orders in a row; sending to it is paused until 2026-03-10 10:15 UTC.\n>Transport: connect ECONNREFUSED"
    ])
  })
})

describe("repeat digest message", () => {
  const keyOf = (n: number) => ({
    ...only(alertsForOrder(googleOrder, { partners, now: NOW })),
    alertId: `a${n}`,
    orderKey: `shop-de:${n}`
  })
  let state = emptyGrouping
  for (let n = 1; n <= 9; n++) state = decide(state, keyOf(n), new Date(NOW.getTime() + n * 60_000), 3_600_000).state
  const [digest] = due(state, new Date(NOW.getTime() + 2 * 3_600_000), 3_600_000).digests

  it("says how many more since when, for which group, with a few order keys", () => {
    const message = messageFor(repeatDigestAlert(digest!), PUBLIC)
    expect(message.text).toBe("8 more orders of this kind since 2026-03-10 10:01 UTC: click id missing (spring-sale)")
    expect(message.blocks[0]).toMatchObject({ text: { text: ":repeat: 8 more orders: click id missing" } })
    expect(texts(message.blocks[1])).toEqual([
      "*8 more orders of this kind since 2026-03-10 10:01 UTC* (until 2026-03-10 11:01 UTC), after the alert posted then."
    ])
    expect(texts(message.blocks[2])).toEqual(["*Company*\nacme", "*Partner*\ngoogle", "*Campaign*\n`spring-sale`"])
    expect(texts(message.blocks[3])).toEqual([
      "Examples: `shop-de:2`, `shop-de:3`, `shop-de:4`, `shop-de:5`, `shop-de:6` and 3 more"
    ])
    expect(texts(message.blocks[4])[0]).toContain(
      "First alert: Order log: <https://s2s.acme.example/api/v1/orders/shop-de%3A1"
    )
  })

  it("falls back to the summary when the stored digest no longer decodes", () => {
    const broken = { ...repeatDigestAlert(digest!), details: { digest: { count: "many" } } }
    const message = messageFor(broken)
    expect(message.blocks[0]).toMatchObject({ text: { text: ":bell: repeats" } })
    expect(message.text).toContain("8 more of the same")
  })
})

describe("safety of user-derived text", () => {
  const hostile = makeOrder({
    utm: {
      source: "google",
      campaign: "<!channel> spring & <https://evil.example|Google Ads>",
      content: CUSTOMER_EMAIL
    },
    landingUrl: `https://shop.example/thank-you/${CUSTOMER_EMAIL}?email=${CUSTOMER_EMAIL}&gclid_lost=1`
  })
  const alerts = [
    ...alertsForOrder(hostile, { partners, now: NOW }),
    ...alertsForOrder(makeOrder({ landingUrl: `/a/${CUSTOMER_EMAIL}` }), { partners, now: NOW }),
    alertForDispatchEvent(
      {
        _tag: "DispatchFailed",
        orderKey: "shop-de:1001",
        targetId: "awin",
        kind: "conversion",
        attempt: 3,
        reason: "Rejected",
        retryable: false,
        message: `duplicate order for ${CUSTOMER_EMAIL} <script>`
      },
      hostile
    )!
  ]

  it.each(alerts.map((a) => [a.problem, a] as const))(
    "%s: escapes <, > and & and never mentions anyone",
    (_, alert) => {
      const text = allText(messageFor(alert, PUBLIC))
      expect(text).not.toContain(CUSTOMER_EMAIL)
      expect(text).not.toMatch(/@example\.de/)
      expect(text).not.toContain("<!channel>")
      expect(text).not.toContain("<https://evil")
      expect(text).not.toContain("<script>")
      for (const pii of ["Anna", "Müller", "23456789", "203.0.113.7", "Frankfurt"]) expect(text).not.toContain(pii)
      // The only links are our own order-log links.
      expect([...text.matchAll(/<([^>|]+)\|/g)].map((m) => m[1])).toEqual(
        [...text.matchAll(/<([^>|]+)\|/g)].map(() => "https://s2s.acme.example/api/v1/orders/shop-de%3A1001/events")
      )
    }
  )

  it("shows the hostile campaign escaped", () => {
    const text = allText(messageFor(alerts[0]!, PUBLIC))
    expect(text).toContain("`&lt;!channel&gt; spring &amp; &lt;https://evil.example|Google Ads&gt;`")
  })
})

describe("limits", () => {
  it("clips a very long campaign so no block exceeds Slack's limits", () => {
    const order = makeOrder({
      utm: { source: "google", campaign: "x".repeat(5000) },
      landingUrl: `/${"p".repeat(5000)}`
    })
    const message = messageFor(only(alertsForOrder(order, { partners, now: NOW })))
    for (const block of message.blocks) {
      for (const t of texts(block)) expect(t.length).toBeLessThanOrEqual(block.type === "header" ? 150 : 3000)
    }
    expect(message.blocks.length).toBeLessThanOrEqual(50)
  })

  it("formats money with the currency's decimals", () => {
    expect(formatMoney(4990, "EUR")).toBe("49.90 EUR")
    expect(formatMoney(1200, "JPY")).toBe("1200 JPY")
    expect(formatMoney(12345, "KWD")).toBe("12.345 KWD")
  })
})
