import { describe, expect, it } from "vitest"
import { SourceKind } from "../../../src/events/configSchema.js"
import {
  COMMON_KEPT_HEADERS,
  keptHeaders,
  schemes,
  secretRefsOf,
  toleranceOf
} from "../../../src/ingest/sources/index.js"
import { decodeDigest, findMatchingSecret, hmacSha256, parseParams } from "../../../src/ingest/sources/signature.js"

describe("scheme registry", () => {
  it("has one scheme per source kind, registered under its own kind", () => {
    expect(Object.keys(schemes).sort()).toEqual([...SourceKind.literals].sort())
    for (const [kind, scheme] of Object.entries(schemes)) expect(scheme.kind).toBe(kind)
  })

  it("never keeps a signature, credential or cookie header", () => {
    const sensitive = /signature|hmac|authorization|cookie|token|secret/
    for (const scheme of Object.values(schemes)) {
      for (const name of [...COMMON_KEPT_HEADERS, ...scheme.keptHeaders]) {
        expect(name).toBe(name.toLowerCase())
        expect(name).not.toMatch(sensitive)
      }
    }
  })

  it("picks only the kept headers that are present", () => {
    const headers = {
      "content-type": "application/json",
      "user-agent": "WooCommerce/9.8.5 Hookshot (WordPress/6.8.1)",
      "x-wc-webhook-topic": "order.created",
      "x-wc-webhook-signature": "c2lnbmF0dXJl",
      authorization: "Bearer x"
    }
    expect(keptHeaders(schemes.woocommerce, headers)).toEqual({
      "content-type": "application/json",
      "user-agent": "WooCommerce/9.8.5 Hookshot (WordPress/6.8.1)",
      "x-wc-webhook-topic": "order.created"
    })
  })

  it("uses the source's tolerance, else the scheme's default, else none", () => {
    expect(toleranceOf(schemes.stripe, {})).toBe(300_000)
    expect(toleranceOf(schemes.paddle, {})).toBe(300_000)
    expect(toleranceOf(schemes.paddle, { tolerance: "10m" })).toBe(600_000)
    expect(toleranceOf(schemes.shopify, {})).toBe(0)
  })

  it("lists the current secret before the previous ones", () => {
    expect(secretRefsOf({ secret: "env:NEW" as never, previousSecrets: ["env:OLD" as never] })).toEqual([
      "env:NEW",
      "env:OLD"
    ])
    expect(secretRefsOf({})).toEqual([])
  })
})

describe("signature helpers", () => {
  it("compute RFC 4231 test case 2", () => {
    expect(hmacSha256("Jefe", ["what do ya ", Buffer.from("want for nothing?")]).toString("hex")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
  })

  it("decode only canonical 32-byte digests", () => {
    const digest = Buffer.alloc(32, 0xab)
    expect(decodeDigest(digest.toString("hex"), "hex")).toEqual({ ok: true, digest })
    expect(decodeDigest(digest.toString("base64"), "base64")).toEqual({ ok: true, digest })
    expect(decodeDigest("", "hex").ok).toBe(false)
    expect(decodeDigest("abc", "hex").ok).toBe(false)
    expect(decodeDigest("a".repeat(10_000), "base64")).toMatchObject({ ok: false })
    expect(decodeDigest(Buffer.alloc(33).toString("hex"), "hex")).toMatchObject({
      ok: false,
      detail: "signature decodes to 33 bytes, HMAC-SHA256 has 32"
    })
  })

  it("find the matching secret by its position, skipping empty ones", () => {
    const sign = (secret: string) => hmacSha256(secret, ["body"])
    expect(findMatchingSecret([sign("b")], ["a", "b", "c"], sign)).toBe(1)
    expect(findMatchingSecret([sign("x"), sign("c")], ["a", "b", "c"], sign)).toBe(2)
    expect(findMatchingSecret([sign("")], ["", "a"], sign)).toBe(-1)
    expect(findMatchingSecret([Buffer.alloc(31)], ["a"], sign)).toBe(-1)
  })

  it("split parameter lists, keeping values that contain '=' and skipping bare items", () => {
    expect(parseParams("t=1, v1=ab==,junk,=x", ",")).toEqual([
      { key: "t", value: "1" },
      { key: "v1", value: "ab==" }
    ])
  })
})
