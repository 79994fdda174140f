// Personal data inside free text, in the forms it takes there, and what is not personal data.
import { describe, expect, it } from "vitest"
import { findEmails, findPhones, replacePersonalData } from "../../src/lib/pii.js"

const mark = (text: string) => replacePersonalData(text, { email: () => "<E>", phone: () => "<P>" })

describe("emails in text", () => {
  it.each([
    ["plain", "mail jane.roe+shop@example.com now", "mail <E> now"],
    ["URL-encoded", "/?email=jane.roe%2Bshop%40example.com&x=1", "/?email=<E>&x=1"],
    ["double-encoded", "/r?u=%3Femail%3Djane.roe%252Bshop%2540example.com", "/r?u=%3Femail%3D<E>"],
    ["JSON-escaped", "note: jane\\u0040example.com", "note: <E>"],
    ["HTML entity", "jane&#64;example.com", "<E>"],
    ["upper case", "JANE@EXAMPLE.COM", "<E>"]
  ])("%s", (_, text, expected) => expect(mark(text)).toBe(expected))

  it("finds nothing in text without an address", () => {
    expect(findEmails("50% off @ the shop, 40 % more")).toEqual([])
  })
})

describe("phone numbers in text", () => {
  it.each([
    ["national with a slash", "Rückruf: 0151/23456789", "Rückruf: <P>"],
    ["national with spaces", "bitte 0151 2345 6789 anrufen", "bitte <P> anrufen"],
    ["international with (0)", "Tel. +49 (0)151 2345-6789 abends", "Tel. <P> abends"],
    ["00 prefix", "0049 151 23456789", "<P>"],
    ["E.164", "+4915123456789", "<P>"],
    ["dashes", "+49-151-234-567-89", "<P>"],
    ["URL-encoded +", "?phone=%2B4915123456789", "?phone=<P>"],
    ["URL-encoded space", "?phone=0151%2023456789", "?phone=<P>"],
    ["French", "appelez le 06 12 34 56 78", "appelez le <P>"],
    ["UK", "+44 20 7946 0958", "<P>"],
    ["North American", "call (415) 555-2671 today", "call <P> today"]
  ])("%s", (_, text, expected) => expect(mark(text)).toBe(expected))

  it.each([
    ["an order number", "order 7384341"],
    ["a 64-bit id", "gid://shopify/Order/820982911946154508"],
    ["an IP address", "203.0.113.42"],
    ["a timestamp", "2024-11-29T10:15:03+01:00"],
    ["a date", "Lieferung am 01.02.2026"],
    ["a cookie", "fb.1.1732871512345.987654321"],
    ["a GA cookie", "GA1.1.1234567890.1732871500"],
    ["a price", "59.90 EUR"],
    ["a uuid", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"],
    ["a gclid", "Cj0KCQiAgJa6BhCOARIsAMiL7V8xQf2Zk9pTqLr3vN1eWmYbHcDsUoJ4aE5tGiK0wX7yR6uP2nMaAk0BEALw_wcB"],
    ["a SKU", "VIT-D3-1000"],
    ["an awin click", "1001_1732871512_abc"]
  ])("leaves %s alone", (_, text) => {
    expect(findPhones(text)).toEqual([])
    expect(mark(text)).toBe(text)
  })
})
