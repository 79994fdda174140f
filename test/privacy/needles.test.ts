// One subject's values in every stored form: what erasure finds, and what it leaves alone.
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { ERASED, scrubJsonText, scrubText, subjectNeedles } from "../../src/privacy/needles.js"

const sha = (text: string) => createHash("sha256").update(text).digest("hex")
const needles = subjectNeedles("Jane.Roe+shop@Example.com", ["+4915123456789"])

describe("the subject's email and phone, as stored", () => {
  it.each([
    "jane.roe+shop@example.com",
    "JANE.ROE+SHOP@EXAMPLE.COM",
    "jane.roe%2Bshop%40example.com",
    "jane.roe%2bshop%40example.com",
    "jane.roe%252Bshop%2540example.com",
    "jane.roe+shop%40example.com",
    "jane.roe shop@example.com",
    "jane.roe+shop\\u0040example.com",
    "+49 151 23456789",
    "+4915123456789",
    "0049 151 23456789",
    "0151 / 2345 6789",
    "+49 (0)151 2345-6789",
    "0151-234-567-89",
    "%2B4915123456789",
    "0151%2023456789",
    "0151+23456789",
    "151 23456789",
    "4915123456789",
    sha("jane.roe+shop@example.com"),
    sha("+4915123456789"),
    sha("4915123456789")
  ])("%s", (form) => {
    expect(scrubText(`before ${form} after`, needles)).toBe(`before ${ERASED} after`)
  })

  it.each([
    ["another number sharing digits", "order 4915123456789012"],
    ["the digits inside a longer run", "id 11512345678900"],
    ["another address", "janet.roe@example.com"],
    ["another digest", sha("janet.roe@example.com")]
  ])("leaves %s alone", (_, text) => {
    expect(scrubText(text, needles)).toBe(text)
  })

  it("scrubs JSON text without touching the rest of the document (64-bit integers keep their digits)", () => {
    const json =
      '{"id": 820982911946154508, "note": "call 0151 23456789", "phone": 4915123456789, "jane.roe+shop@example.com": 1}'
    const out = scrubJsonText(json, needles)
    expect(out).toBe('{"id": 820982911946154508, "note": "call [erased]", "phone": "[erased]", "[erased]": 1}')
    expect(() => JSON.parse(out)).not.toThrow()
  })
})
