import { describe, expect, it } from "vitest"
import {
  checkCsrf,
  checkOrderLink,
  csrfToken,
  linkSignature,
  signedOrderLink
} from "../../src/console/links/signedLink.js"

const KEY = new Uint8Array(Buffer.from("0123456789abcdef0123456789abcdef"))
const NOW = new Date("2026-11-25T10:00:00Z")
const LATER = Math.floor(NOW.getTime() / 1000) + 3600

const paramsOf = (url: string) => Object.fromEntries(new URL(url).searchParams)

describe("signed order links", () => {
  it("carry the order, the expiry and an HMAC-SHA256 of both, under /console/link", () => {
    const url = signedOrderLink(KEY, "https://s2s.example", "shop-de:#1001/a", LATER)
    expect(url).toBe(
      `https://s2s.example/console/link?order=shop-de%3A%231001%2Fa&exp=${LATER}&sig=${linkSignature(KEY, "shop-de:#1001/a", LATER)}`
    )
    expect(linkSignature(KEY, "shop-de:#1001/a", LATER)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(checkOrderLink(KEY, paramsOf(url), NOW)).toEqual({ ok: true, orderKey: "shop-de:#1001/a", expiresAt: LATER })
  })

  it("are refused when the order, the expiry or the key differ", () => {
    const params = paramsOf(signedOrderLink(KEY, "https://s2s.example", "shop-de:1001", LATER))
    expect(checkOrderLink(KEY, { ...params, order: "shop-de:1002" }, NOW)).toEqual({
      ok: false,
      reason: "bad_signature"
    })
    expect(checkOrderLink(KEY, { ...params, exp: String(LATER + 1) }, NOW)).toEqual({
      ok: false,
      reason: "bad_signature"
    })
    expect(checkOrderLink(new Uint8Array(32), params, NOW)).toEqual({ ok: false, reason: "bad_signature" })
    expect(checkOrderLink(KEY, { ...params, sig: `${params.sig}x` }, NOW)).toEqual({
      ok: false,
      reason: "bad_signature"
    })
  })

  it("expire at their time, and only ours are called expired", () => {
    const params = paramsOf(signedOrderLink(KEY, "https://s2s.example", "shop-de:1001", LATER))
    expect(checkOrderLink(KEY, params, new Date(LATER * 1000 - 1)).ok).toBe(true)
    expect(checkOrderLink(KEY, params, new Date(LATER * 1000))).toEqual({ ok: false, reason: "expired" })
    expect(checkOrderLink(new Uint8Array(32), params, new Date(LATER * 1000))).toEqual({
      ok: false,
      reason: "bad_signature"
    })
  })

  it("are malformed without every part, or with an expiry that is not a number", () => {
    for (const params of [
      {},
      { order: "k", exp: "1" },
      { order: "", exp: "1", sig: "x" },
      { order: "k", exp: "1e9", sig: "x" }
    ])
      expect(checkOrderLink(KEY, params, NOW)).toEqual({ ok: false, reason: "malformed" })
  })
})

describe("CSRF tokens", () => {
  it("belong to one session and one key", () => {
    const token = csrfToken(KEY, "ses_1")
    expect(checkCsrf(KEY, "ses_1", token)).toBe(true)
    expect(checkCsrf(KEY, "ses_2", token)).toBe(false)
    expect(checkCsrf(new Uint8Array(32), "ses_1", token)).toBe(false)
    expect(checkCsrf(KEY, "ses_1", undefined)).toBe(false)
    expect(checkCsrf(KEY, "ses_1", "")).toBe(false)
    // A CSRF token is never a link signature for the same text.
    expect(token).not.toBe(linkSignature(KEY, "ses_1", 0))
  })
})
