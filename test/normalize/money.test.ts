import { describe, expect, it } from "vitest"
import { currencyCode, currencyDigits, decimalToMinor, minorText, rescaleMinor } from "../../src/normalize/money.js"

describe("decimalToMinor", () => {
  it.each([
    // given amount, currency -> then minor units
    ["19.99", "EUR", 1999],
    ["0.10", "EUR", 10],
    ["0.1", "EUR", 10],
    ["1", "EUR", 100],
    ["1.", "EUR", 100],
    ["63.26", "EUR", 6326],
    [" 207.97 ", "PLN", 20797],
    ["-207.97", "PLN", -20797],
    ["1234567.89", "SEK", 123456789],
    ["4.35", "USD", 435], // 4.35 * 100 = 434.99999999999994 as a float
    ["1.005", "EUR", 101], // beyond the exponent: half away from zero
    ["1.004", "EUR", 100],
    ["-1.005", "EUR", -101],
    ["5000", "JPY", 5000],
    ["5000.0", "JPY", 5000],
    ["5000.5", "JPY", 5001],
    ["12.345", "KWD", 12345],
    ["12.3", "KWD", 12300],
    ["0.001", "BHD", 1],
    ["349.00", "DKK", 34900],
    ["61.70", "CHF", 6170],
    ["131.01", "CAD", 13101],
    ["42.50", "GBP", 4250],
    [14.950000000000001, "BRL", 1495], // WooCommerce line price as a JSON float
    [8.403361344537815, "EUR", 840],
    [36.99, "PLN", 3699],
    [119, "PLN", 11900],
    [1e-7, "EUR", 0],
    [0.125, "EUR", 13]
  ] as const)("%j %s -> %i", (amount, currency, expected) => {
    expect(decimalToMinor(amount, currency)).toBe(expected)
  })

  it.each([["abc"], [""], ["1,50"], ["1.2.3"], ["1e5"], ["€10"], ["0x10"], [" "], ["Infinity"]])(
    "refuses %j as not a decimal",
    (amount) => {
      expect(decimalToMinor(amount, "EUR")).toBeUndefined()
    }
  )

  it("refuses amounts beyond the safe integer range instead of losing digits", () => {
    expect(decimalToMinor("99999999999999999.99", "EUR")).toBeUndefined()
    expect(decimalToMinor(Number.NaN, "EUR")).toBeUndefined()
  })
})

describe("currencyDigits", () => {
  it.each([
    ["EUR", 2],
    ["USD", 2],
    ["CHF", 2],
    ["SEK", 2],
    ["PLN", 2],
    ["DKK", 2],
    ["GBP", 2],
    ["CAD", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["XYZ", 2]
  ])("%s has %i digits", (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits)
  })
})

describe("currencyCode", () => {
  it.each([
    ["eur", "EUR"],
    [" usd ", "USD"],
    ["JPY", "JPY"],
    ["EURO", undefined],
    ["€", undefined],
    ["", undefined],
    [42, undefined],
    [null, undefined]
  ])("%j -> %j", (raw, expected) => {
    expect(currencyCode(raw)).toBe(expected)
  })
})

describe("minorText and rescaleMinor", () => {
  it.each([
    ["65215", 65215],
    ["0", 0],
    ["-1785", -1785],
    ["12.5", undefined],
    ["", undefined],
    ["99999999999999999999", undefined]
  ])("minorText(%j) -> %j", (text, expected) => {
    expect(minorText(text)).toBe(expected)
  })

  it.each([
    [100000, 2, 0, 1000], // Stripe ISK (2 digits in the API) -> 0 digits
    [12345, 2, 0, 123],
    [12350, 2, 0, 124],
    [-12350, 2, 0, -124],
    [4980, 0, 0, 4980],
    [1999, 2, 2, 1999],
    [15, 2, 3, 150]
  ])("rescaleMinor(%i, %i -> %i) = %i", (amount, from, to, expected) => {
    expect(rescaleMinor(amount, from, to)).toBe(expected)
  })
})
