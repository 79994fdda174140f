import { describe, expect, it } from "vitest"
import { gmtTime, isoTime, unixMillis, unixTime } from "../../src/normalize/time.js"

describe("isoTime", () => {
  it.each([
    ["2024-11-29T10:15:03+01:00", "2024-11-29T09:15:03.000Z"],
    ["2024-12-02T08:00:00-08:00", "2024-12-02T16:00:00.000Z"],
    ["2023-08-22T07:15:45.366122Z", "2023-08-22T07:15:45.366Z"], // Paddle's microseconds
    ["2024-12-03T16:20:11+0100", "2024-12-03T15:20:11.000Z"],
    ["2024-12-03 16:20:11Z", "2024-12-03T16:20:11.000Z"],
    ["2024-12-07T10:00:00+09:00", "2024-12-07T01:00:00.000Z"]
  ])("%s -> %s", (text, expected) => {
    expect(isoTime(text)).toBe(expected)
  })

  it.each([
    ["2024-11-29T10:15:03"], // no offset: would depend on the machine's zone
    ["2024-11-29"],
    ["0001-01-01T00:00:00Z"], // Paddle's "not set"
    ["yesterday"],
    [""],
    [null],
    [undefined],
    ["2024-13-45T99:00:00Z"]
  ])("%j -> undefined", (text) => {
    expect(isoTime(text)).toBeUndefined()
  })
})

describe("gmtTime (WooCommerce *_gmt)", () => {
  it.each([
    ["2024-11-29T10:20:05", "2024-11-29T10:20:05.000Z"],
    ["2024-11-29 10:20:05", "2024-11-29T10:20:05.000Z"],
    ["2024-11-29T10:20:05+00:00", "2024-11-29T10:20:05.000Z"],
    [null, undefined],
    ["not a date", undefined]
  ])("%j -> %j", (text, expected) => {
    expect(gmtTime(text)).toBe(expected)
  })
})

describe("unix times", () => {
  it("reads Stripe's seconds and fbc's milliseconds", () => {
    expect(unixTime(1733058065)).toBe("2024-12-01T13:01:05.000Z")
    expect(unixTime(0)).toBeUndefined()
    expect(unixTime(null)).toBeUndefined()
    expect(unixMillis(1733083501234)).toBe("2024-12-01T20:05:01.234Z")
    expect(unixMillis(1733083501)).toBeUndefined() // seconds, not milliseconds
  })
})
