import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { decodeCursor, encodeCursor, parseSearch } from "../../src/orders/search.js"

const ok = (params: Record<string, string | ReadonlyArray<string>>) => {
  const result = parseSearch(params)
  if (Either.isLeft(result)) throw new Error(result.left)
  return result.right
}
const error = (params: Record<string, string | ReadonlyArray<string>>) => {
  const result = parseSearch(params)
  if (Either.isRight(result)) throw new Error(`expected an error for ${JSON.stringify(params)}`)
  return result.left
}

describe("parsing the search's query string", () => {
  it("reads the console's filters: order key prefix, e-mail digest, click id, target", () => {
    const digest = "4160864A2E1E29EAAD93D2E8B7CB6E53DFE9B1D98C77868C587F180D8E00D16A"
    expect(ok({ orderKey: "shop-de:10", email: digest, clickId: " Cj0KCQ ", target: "awin" })).toMatchObject({
      orderKey: "shop-de:10",
      emailSha256: digest.toLowerCase(),
      clickId: "Cj0KCQ",
      target: "awin"
    })
  })

  it("refuses an e-mail address in place of its SHA-256: the address never travels", () => {
    expect(error({ email: "lena@example.de" })).toBe(
      "email must be the SHA-256 (64 hex digits) of the address, trimmed and lower-cased: the address itself is not sent"
    )
  })

  it("defaults to the newest 50 of everything", () => {
    expect(ok({})).toEqual({
      company: undefined,
      partner: undefined,
      market: undefined,
      statuses: undefined,
      dispatchStates: undefined,
      missingTracking: undefined,
      from: undefined,
      to: undefined,
      limit: 50,
      after: undefined
    })
  })

  it("reads every filter; lists are comma-separated, times normalized to UTC, empty values ignored", () => {
    expect(
      ok({
        company: "acme",
        partner: "awin",
        market: "de",
        status: "paid,partially_refunded",
        dispatchState: "failed, dead_lettered",
        missingTracking: "true",
        from: "2026-11-01",
        to: "2026-11-02T10:00:00+01:00",
        limit: "500",
        cursor: ""
      })
    ).toEqual({
      company: "acme",
      partner: "awin",
      market: "DE",
      statuses: ["paid", "partially_refunded"],
      dispatchStates: ["failed", "dead_lettered"],
      missingTracking: true,
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-02T09:00:00.000Z",
      limit: 500,
      after: undefined
    })
    expect(ok({ missingTracking: "false" }).missingTracking).toBe(false)
  })

  it.each([
    [{ limit: "0" }, "limit must be a whole number from 1 to 500"],
    [{ limit: "501" }, "limit must be a whole number from 1 to 500"],
    [{ limit: "1.5" }, "limit must be a whole number"],
    [{ limit: "ten" }, "limit must be a whole number"],
    [
      { status: "paid,shipped" },
      'status must be one of pending, paid, partially_refunded, refunded, cancelled, ignored (comma-separated for several); got "shipped"'
    ],
    [{ dispatchState: "done" }, "dispatchState must be one of none, pending, delivered"],
    [{ missingTracking: "1" }, 'missingTracking must be true or false (got "1")'],
    [
      { from: "last week" },
      'from must be an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z (got "last week")'
    ],
    [{ to: "2026-13-45" }, "to must be an ISO 8601 date or time"],
    [{ from: "2026-11-02", to: "2026-11-02" }, "from must be before to"],
    [{ cursor: "bm9wZQ" }, "cursor is not one this API returned"],
    [{ sort: "asc" }, "unknown parameter sort"],
    [{ status: ["paid", "refunded"] }, "status is given more than once"]
  ])("%j -> %s", (params, message) => expect(error(params)).toContain(message))
})

describe("the cursor", () => {
  it.each([
    { placedAt: "2026-11-02T09:00:00.123456Z", orderKey: "shop-de:1001" },
    { placedAt: null, orderKey: "stripe-main:cs_test_a1/ü" }
  ])("round-trips %j through an opaque, URL-safe string", (cursor) => {
    const text = encodeCursor(cursor)
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor(text)).toEqual(cursor)
    expect(ok({ cursor: text }).after).toEqual(cursor)
  })

  it("refuses what it did not make", () => {
    for (const text of [
      "",
      "%%%",
      Buffer.from('["x"]').toString("base64url"),
      Buffer.from('["soon", "k"]').toString("base64url")
    ])
      expect(decodeCursor(text)).toBeUndefined()
  })
})
