import { describe, expect, it } from "vitest"
import { schemes } from "../../../src/ingest/sources/index.js"
import { SHOPIFY_SIGNATURE_HEADER } from "../../../src/ingest/sources/shopify.js"
import { WOOCOMMERCE_SIGNATURE_HEADER } from "../../../src/ingest/sources/woocommerce.js"
import { hmac, mutateByte, request } from "./request.js"

// RFC 4231 test case 2 (HMAC-SHA256): a digest published independently of any code in this repository.
const RFC4231 = {
  key: "Jefe",
  data: "what do ya want for nothing?",
  base64: Buffer.from("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "hex").toString("base64")
}
// A Shopify-style order body with its published base64 signature (sqlpage's Shopify webhook example).
const PUBLISHED_ORDER = {
  secret: "test-webhook-secret",
  body: '{"id":1234567890,"email":"customer@example.com","total_price":"123.45"}',
  base64: "QNyObTlKbMx2qDlPF/ZOZcBqg5OgPg+2oky3zldc0Gw="
}

const ORDER = '{"id":820982911946154508,"total_price":"199.00","currency":"EUR","note":"Grüße"}'

describe.each([
  { kind: "shopify" as const, header: SHOPIFY_SIGNATURE_HEADER },
  { kind: "woocommerce" as const, header: WOOCOMMERCE_SIGNATURE_HEADER }
])("$kind body signature ($header)", ({ kind, header }) => {
  const scheme = schemes[kind]
  const signed = (body: string | Uint8Array, secret: string, extra: Record<string, string> = {}) =>
    request({ body, headers: { [header]: hmac(secret, body).toString("base64"), ...extra } })
  const verify = (req: ReturnType<typeof request>, secrets: ReadonlyArray<string>) => scheme.verify(req, secrets, 0)

  it("accepts the RFC 4231 vector and the published order vector", () => {
    expect(verify(request({ body: RFC4231.data, headers: { [header]: RFC4231.base64 } }), [RFC4231.key])).toEqual({
      ok: true,
      secretIndex: 0
    })
    const published = request({ body: PUBLISHED_ORDER.body, headers: { [header]: PUBLISHED_ORDER.base64 } })
    expect(verify(published, [PUBLISHED_ORDER.secret]).ok).toBe(true)
  })

  it("accepts a signature over the raw bytes, including non-ASCII text", () => {
    expect(verify(signed(ORDER, "s3cret"), ["s3cret"])).toEqual({ ok: true, secretIndex: 0 })
  })

  it("rejects a body with one byte changed", () => {
    const good = signed(ORDER, "s3cret")
    for (const at of [0, 10, ORDER.length - 1]) {
      const tampered = { ...good, body: mutateByte(good.body, at) }
      expect(verify(tampered, ["s3cret"])).toMatchObject({ ok: false, reason: "bad_signature" })
    }
  })

  it("rejects the wrong secret", () => {
    expect(verify(signed(ORDER, "s3cret"), ["other"])).toMatchObject({ ok: false, reason: "bad_signature" })
  })

  it("accepts a previous secret during a rotation and says which one matched", () => {
    expect(verify(signed(ORDER, "old"), ["new", "old"])).toEqual({ ok: true, secretIndex: 1 })
    expect(verify(signed(ORDER, "new"), ["new", "old"])).toEqual({ ok: true, secretIndex: 0 })
  })

  it("reports a missing header", () => {
    expect(verify(request({ body: ORDER }), ["s3cret"])).toMatchObject({ ok: false, reason: "missing_signature" })
    expect(verify(request({ body: ORDER, headers: { [header]: "  " } }), ["s3cret"])).toMatchObject({
      reason: "missing_signature"
    })
  })

  it.each([
    ["garbage", "not base64 at all!"],
    ["base64 with a character outside the alphabet", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOE*="],
    ["non-canonical base64 (spare bits set)", RFC4231.base64.replace(/M=$/, "N=")],
    ["hex digest instead of base64 (48 bytes)", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"],
    ["HMAC-SHA1 length (20 bytes)", Buffer.alloc(20, 7).toString("base64")],
    ["HMAC-SHA512 length (64 bytes)", Buffer.alloc(64, 7).toString("base64")],
    ["two values joined by a proxy", `${RFC4231.base64}, ${RFC4231.base64}`]
  ])("reports %s as malformed", (_, value) => {
    const result = verify(request({ body: RFC4231.data, headers: { [header]: value } }), [RFC4231.key])
    expect(result).toMatchObject({ ok: false, reason: "malformed_signature" })
  })

  it("refuses to verify without a usable secret, even a correctly 'signed' request", () => {
    expect(verify(signed(ORDER, ""), [])).toMatchObject({ ok: false, reason: "no_secret" })
    // An empty env var must not turn into an HMAC key anyone can use.
    expect(verify(signed(ORDER, ""), [""])).toMatchObject({ ok: false, reason: "no_secret" })
    expect(verify(signed(ORDER, "s3cret"), ["", "s3cret"])).toEqual({ ok: true, secretIndex: 1 })
  })

  it("never keeps the signature header for the audit record", () => {
    expect(scheme.keptHeaders).not.toContain(header)
  })
})
