import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import type { AppEvent } from "../../src/events/Events.js"
import { maskEvent, maskRawBody } from "../../src/orders/maskEvent.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"

const rawBody = (text: string, encoding: "utf8" | "base64" = "utf8") => ({
  encoding,
  text,
  sha256: createHash("sha256").update(text).digest("hex"),
  bytes: Buffer.byteLength(text)
})

const fixtures = fs
  .readdirSync("test/fixtures", { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => fs.readdirSync(path.join("test/fixtures", d.name)).map((f) => path.join("test/fixtures", d.name, f)))
  // Webhook bodies only (test/fixtures/legacy-migrations/ holds SQL).
  .filter((f) => f.endsWith(".json"))

// Found independently of the masker: e-mail addresses and documentation-range IPs by pattern, and the
// values of the fields every platform uses for names, streets and phones.
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const IP = /\b(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}\b|\b2001:db8:[0-9a-f:]+/gi
const PERSONAL_KEYS = new Set([
  "first_name",
  "last_name",
  "firstName",
  "lastName",
  "address1",
  "address2",
  "address_1",
  "address_2",
  "line1",
  "line2",
  "phone"
])
const personalValues = (value: unknown, out: Set<string> = new Set()): Set<string> => {
  if (Array.isArray(value)) for (const v of value) personalValues(v, out)
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (PERSONAL_KEYS.has(k) && typeof v === "string" && v.trim() !== "") out.add(v)
      else personalValues(v, out)
    }
  return out
}

describe("masking raw webhook bodies", () => {
  it.each(fixtures)("%s keeps no e-mail, IP, name, street or phone, and everything else", (file) => {
    const text = fs.readFileSync(file, "utf8")
    const masked = maskRawBody(rawBody(text))
    const leaks = [...(text.match(EMAIL) ?? []), ...(text.match(IP) ?? []), ...personalValues(JSON.parse(text))]
    for (const value of leaks) expect(masked.text).not.toContain(JSON.stringify(value).slice(1, -1))
    const before = JSON.parse(text) as Record<string, unknown>
    const after = JSON.parse(masked.text) as Record<string, unknown>
    expect(Object.keys(after)).toEqual(Object.keys(before))
    expect(masked.sha256).toBe(rawBody(text).sha256)
    expect(masked.bytes).toBe(Buffer.byteLength(text))
  })

  it("keeps ids, amounts and tracking of a Shopify order as they were", () => {
    const text = fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")
    const after = JSON.parse(maskRawBody(rawBody(text)).text) as Record<string, unknown>
    expect(after).toMatchObject({
      id: 5678901234567,
      name: "#1042",
      total_price: "63.26",
      landing_site: expect.stringContaining("gclid=Cj0KCQiAgJa6"),
      email: "l***@example.de",
      browser_ip: "203.0.*.*"
    })
  })

  it("masks the name Stripe puts beside a shipping address, keeps Paddle's product names", () => {
    const stripe = maskRawBody(rawBody(fs.readFileSync("test/fixtures/stripe/checkout-session-completed.json", "utf8")))
    expect(stripe.text).not.toContain("Camille Dubois")
    expect(stripe.text).toContain('"name":"C*** D***"')
    const paddle = maskRawBody(rawBody(fs.readFileSync("test/fixtures/paddle/transaction-completed.json", "utf8")))
    expect(paddle.text).toContain('"name":"Focus Pro (lifetime)"')
  })

  it("keeps integers beyond 2^53 exactly", () => {
    const masked = maskRawBody(rawBody('{"id":820982911946154508,"email":"a@b.io"}'))
    expect(masked.text).toBe('{"id":"820982911946154508","email":"a***@b.io"}')
  })

  it("replaces a body that is not JSON by its size and hash", () => {
    const form = "email=lena%40example.de&total=63.26"
    expect(maskRawBody(rawBody(form)).text).toBe(`[masked: ${form.length} bytes, sha256 ${rawBody(form).sha256}]`)
    const binary = rawBody(Buffer.from([0, 1, 2]).toString("base64"), "base64")
    expect(maskRawBody({ ...binary, bytes: 3 }).text).toBe(`[masked: 3 bytes, sha256 ${binary.sha256}]`)
  })
})

describe("masking events", () => {
  const order = makeOrder("DE", { clientIp: "203.0.113.7" })

  it("masks the canonical order's customer, IP and e-mails in its URLs; keeps identity, value and tracking", () => {
    const landing = "https://shop.example/?gclid=abc&mail=anna@example.de"
    const event: AppEvent = {
      _tag: "OrderNormalized",
      webhookId: "wh-1",
      parserVersion: 1,
      order: { ...order, tracking: { ...order.tracking, landingUrl: landing } }
    }
    const masked = maskEvent(event) as Extract<AppEvent, { _tag: "OrderNormalized" }>
    expect(masked.order.customer).toEqual({
      ...order.customer,
      email: "A***@Example.DE ",
      phone: "*** ** 89",
      firstName: "A***",
      lastName: "M***",
      zip: "60***"
    })
    expect(masked.order.clientIp).toBe("203.0.*.*")
    expect(masked.order.tracking).toEqual({
      ...order.tracking,
      landingUrl: "https://shop.example/?gclid=abc&mail=a***@example.de"
    })
    expect({ ...masked.order, customer: order.customer, clientIp: order.clientIp, tracking: order.tracking }).toEqual(
      order
    )
  })

  it("masks the bodies of dispatch exchanges, keeps hashes, statuses and timings", () => {
    const hash = "a".repeat(64)
    const event: AppEvent = {
      _tag: "DispatchAttempted",
      orderKey: "shop-de:1",
      targetId: "meta",
      kind: "conversion",
      attempt: 1,
      channel: "meta-capi",
      durationMs: 120,
      trigger: "scheduled",
      exchanges: [
        {
          request: {
            method: "POST",
            url: "https://graph.facebook.com/v21.0/123/events?access_token=[redacted]",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ data: [{ user_data: { em: [hash], client_ip_address: "203.0.113.7" } }] })
          },
          response: { status: 200, headers: {}, body: '{"events_received":1}', truncated: false },
          durationMs: 118
        }
      ]
    }
    const masked = maskEvent(event) as Extract<AppEvent, { _tag: "DispatchAttempted" }>
    const exchange = masked.exchanges[0]!
    expect(JSON.parse(exchange.request.body!)).toEqual({
      data: [{ user_data: { em: [hash], client_ip_address: "203.0.*.*" } }]
    })
    expect(exchange.response).toEqual({ status: 200, headers: {}, body: '{"events_received":1}', truncated: false })
    expect(exchange.durationMs).toBe(118)
  })

  it("leaves events without personal data untouched", () => {
    const event: AppEvent = {
      _tag: "PaymentUpdated",
      webhookId: "wh-2",
      orderKey: "shop-de:1",
      from: "pending",
      to: "paid"
    }
    expect(maskEvent(event)).toBe(event)
  })
})
