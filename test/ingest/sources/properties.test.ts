import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type IncomingWebhook, schemes, toleranceOf } from "../../../src/ingest/sources/index.js"
import { hmac } from "./request.js"

const NOW = new Date("2024-05-01T12:00:00Z")
const TS = String(Math.floor(NOW.getTime() / 1000))

// An independent signer per signed kind: the header a genuine sender would attach to these bytes.
const signers = {
  shopify: (body: Uint8Array, secret: string) => ({
    "x-shopify-hmac-sha256": hmac(secret, body).toString("base64")
  }),
  woocommerce: (body: Uint8Array, secret: string) => ({
    "x-wc-webhook-signature": hmac(secret, body).toString("base64")
  }),
  stripe: (body: Uint8Array, secret: string) => ({
    "stripe-signature": `t=${TS},v1=${hmac(secret, `${TS}.`, body).toString("hex")}`
  }),
  paddle: (body: Uint8Array, secret: string) => ({
    "paddle-signature": `ts=${TS};h1=${hmac(secret, `${TS}:`, body).toString("hex")}`
  })
} as const
const signedKinds = Object.keys(signers) as ReadonlyArray<keyof typeof signers>

const webhook = (body: Uint8Array, headers: Record<string, string>): IncomingWebhook => ({
  body,
  headers,
  contentType: "application/json",
  now: NOW
})

const verify = (kind: keyof typeof signers, req: IncomingWebhook, secret: string) =>
  schemes[kind].verify(req, [secret], toleranceOf(schemes[kind], {}))

const body = fc.uint8Array({ minLength: 1, maxLength: 300 })
const secret = fc.string({ minLength: 1, maxLength: 64, unit: "binary" })

describe.each(signedKinds)("%s signature properties", (kind) => {
  const sign = signers[kind]
  const onlyHeader = (headers: Record<string, string>): [string, string] => {
    const entry = Object.entries(headers)[0]
    if (entry === undefined) throw new Error("signer produced no header")
    return entry
  }

  it("accepts exactly the signature computed over the same bytes", () => {
    fc.assert(
      fc.property(body, secret, (bytes, key) => {
        expect(verify(kind, webhook(bytes, sign(bytes, key)), key)).toEqual({ ok: true, secretIndex: 0 })
      })
    )
  })

  it("rejects every single-byte change of the body", () => {
    fc.assert(
      fc.property(body, secret, fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, key, at, xor) => {
        const tampered = Buffer.from(bytes)
        const index = at % tampered.length
        tampered[index] = (tampered[index] ?? 0) ^ xor
        const result = verify(kind, webhook(tampered, sign(bytes, key)), key)
        expect(result).toMatchObject({ ok: false, reason: "bad_signature" })
      })
    )
  })

  it("rejects every single-character change of the signature header", () => {
    const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code))
    fc.assert(
      fc.property(body, secret, fc.nat(), printable, (bytes, key, at, replacement) => {
        const [name, value] = onlyHeader(sign(bytes, key))
        const index = at % value.length
        fc.pre(value[index] !== replacement)
        const mutated = value.slice(0, index) + replacement + value.slice(index + 1)
        expect(verify(kind, webhook(bytes, { [name]: mutated }), key).ok).toBe(false)
      })
    )
  })

  it("never throws on arbitrary headers, bodies and secrets", () => {
    const [name] = onlyHeader(sign(new Uint8Array(1), "k"))
    const headerValue = fc.oneof(
      fc.string({ maxLength: 200, unit: "binary" }),
      fc.constantFrom("t=", "ts=;h1=", "v1=,t=1", "t=99999999999999999999,v1=00", "h1=;ts=0", "=")
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), headerValue, fc.array(fc.string()), (bytes, value, secrets) => {
        const result = schemes[kind].verify(webhook(bytes, { [name]: value }), secrets, 300_000)
        expect(typeof result.ok).toBe("boolean")
      })
    )
  })
})

describe("describe and isPing never throw", () => {
  const headerNames = fc.constantFrom(
    "x-shopify-webhook-id",
    "x-shopify-event-id",
    "x-shopify-topic",
    "x-wc-webhook-topic",
    "x-wc-webhook-event",
    "x-wc-webhook-resource",
    "idempotency-key",
    "x-s2s-topic"
  )
  it.each(Object.keys(schemes) as ReadonlyArray<keyof typeof schemes>)("%s", (kind) => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(headerNames, fc.string({ unit: "binary" })),
        fc.option(fc.string(), { nil: undefined }),
        fc.uint8Array({ maxLength: 64 }),
        (json, headers, contentType, bytes) => {
          const req: IncomingWebhook = { body: bytes, headers, contentType, now: NOW }
          const described = schemes[kind].describe(req, json)
          expect(typeof described.ok).toBe("boolean")
          if (described.ok && described.dedupKey !== undefined) {
            expect(described.dedupKey.length).toBeGreaterThan(0)
            expect(described.dedupKey.length).toBeLessThanOrEqual(255)
          }
          expect(typeof (schemes[kind].isPing?.(req) ?? false)).toBe("boolean")
        }
      )
    )
  })
})
