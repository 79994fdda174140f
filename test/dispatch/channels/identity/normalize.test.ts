import { describe, expect, it } from "vitest"
import {
  googleEmail,
  hashWith,
  looksHashed,
  metaCity,
  metaCountry,
  metaEmail,
  metaExternalId,
  metaName,
  metaPhone,
  metaState,
  metaZip,
  sha256Hex,
  toE164
} from "../../../../src/dispatch/channels/identity/normalize.js"

describe("Meta's published example hashes", () => {
  // customer-information-parameters page: input -> normalized -> SHA-256
  it.each([
    ["em", "John_Smith@gmail.com", metaEmail, "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"],
    ["fn", "Mary", metaName, "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"],
    ["fn (UTF-8)", "Valéry", metaName, "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"],
    ["fn (Hangul)", "정", metaName, "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14"],
    ["country", "US", metaCountry, "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"]
  ] as const)("%s %s", (_key, input, normalize, expected) => {
    expect(hashWith(input, normalize)).toBe(expected)
  })

  it("ph (650)555-1212 in the US -> 16505551212", () => {
    const e164 = toE164("(650)555-1212", "US")
    expect(e164).toBe("+16505551212")
    expect(metaPhone(e164!)).toBe("16505551212")
    expect(sha256Hex(metaPhone(e164!))).toBe("e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176")
  })

  it("keeps a decomposed accent equal to the precomposed one", () => {
    expect(hashWith("Vale\u0301ry", metaName)).toBe("08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c")
  })
})

describe("phone numbers to E.164 (libphonenumber max metadata)", () => {
  it.each([
    ["DE mobile", "0151 23456789", "DE", "+4915123456789"],
    ["DE landline with (0)", "+49 (0) 30 12345678", "DE", "+493012345678"],
    ["DE with 00 prefix", "0049 30 12345678", "DE", "+493012345678"],
    ["AT", "0664 1234567", "AT", "+436641234567"],
    ["CH", "044 668 18 00", "CH", "+41446681800"],
    ["FR", "06 12 34 56 78", "FR", "+33612345678"],
    ["BE", "0470 12 34 56", "BE", "+32470123456"],
    ["NL", "06 12345678", "NL", "+31612345678"],
    ["LU", "621 123 456", "LU", "+352621123456"],
    ["IT landline keeps its 0", "06 1234 5678", "IT", "+390612345678"],
    ["IT mobile", "312 345 6789", "IT", "+393123456789"],
    ["ES", "612 345 678", "ES", "+34612345678"],
    ["PT", "912 345 678", "PT", "+351912345678"],
    ["PL", "512 345 678", "PL", "+48512345678"],
    ["SE", "070-123 45 67", "SE", "+46701234567"],
    ["DK", "20 12 34 56", "DK", "+4520123456"],
    ["GB", "07911 123456", "GB", "+447911123456"],
    ["GB with +44 (0)", "+44 (0)7911 123456", "GB", "+447911123456"],
    ["IE", "085 123 4567", "IE", "+353851234567"],
    ["CA", "(416) 555-0199", "CA", "+14165550199"],
    ["US", "(650) 555-1212", "US", "+16505551212"],
    ["international ignores the region", "+33 6 12 34 56 78", "DE", "+33612345678"],
    ["no region, international", "+1 650 555 1212", undefined, "+16505551212"]
  ] as const)("%s", (_label, raw, region, expected) => {
    expect(toE164(raw, region)).toBe(expected)
  })

  it.each([
    ["too short", "12345", "DE"],
    ["all zeros", "0000000000", "US"],
    ["national number without a region", "030 12345678", undefined],
    ["unknown region", "030 12345678", "XX"],
    ["text around the number", "call me: +33 6 12 34 56 78", "FR"],
    ["Ofcom drama range is not a real number", "07700 900123", "GB"]
  ] as const)("drops an invalid number: %s", (_label, raw, region) => {
    expect(toE164(raw, region)).toBeUndefined()
  })

  it("Meta drops only the +, Italy's leading 0 after the country code stays", () => {
    expect(metaPhone("+390612345678")).toBe("390612345678")
  })
})

describe("email", () => {
  it.each([
    ["  John_Smith@Gmail.com ", "john_smith@gmail.com"],
    ["first.last+tag@gmail.com", "first.last+tag@gmail.com"],
    ["not-an-email", undefined],
    ["a@b", undefined]
  ])("Meta %j -> %j", (raw, expected) => {
    expect(metaEmail(raw)).toBe(expected)
  })

  it.each([
    ["Cloudy.SanFrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com"],
    ["j.o.h.n@googlemail.com", "john@googlemail.com"],
    ["user.name+NYC@Example.com", "user.name+nyc@example.com"],
    [" anna . muller@web.de ", "anna.muller@web.de"],
    ["+only@gmail.com", undefined]
  ])("Google %j -> %j", (raw, expected) => {
    expect(googleEmail(raw)).toBe(expected)
  })
})

describe("names, city, state, zip, country (Meta)", () => {
  it.each([
    ["Jean-Luc", "jeanluc"],
    ["O'Brien", "obrien"],
    ["Mary Ann", "maryann"],
    ["Müller", "müller"],
    ["Ångström", "ångström"],
    ["  ", undefined]
  ])("name %j -> %j", (raw, expected) => {
    expect(metaName(raw)).toBe(expected)
  })

  it.each([
    ["New York", "newyork"],
    ["Frankfurt am Main", "frankfurtammain"],
    ["München", "münchen"],
    ["Paris 18e", "parise"],
    ["St. Gallen", "stgallen"],
    ["Göteborg", "göteborg"]
  ])("city %j -> %j", (raw, expected) => {
    expect(metaCity(raw)).toBe(expected)
  })

  it.each([
    ["CA", "US", "ca"],
    ["California", "US", "ca"],
    ["US-NY", "US", "ny"],
    ["New South Wales", "US", undefined],
    ["ON", "CA", "on"],
    ["Québec", "CA", "qc"],
    ["British Columbia", "CA", "bc"],
    ["Bayern", "DE", "bayern"],
    ["Île-de-France", "FR", "îledefrance"],
    ["BY", "DE", "by"]
  ] as const)("state %j in %s -> %j", (raw, country, expected) => {
    expect(metaState(raw, country)).toBe(expected)
  })

  it.each([
    ["94035-1234", "US", "94035"],
    ["94035", "US", "94035"],
    ["9403", "US", undefined],
    ["M1 1AE", "GB", "m11ae"],
    ["SW1A 1AA", "GB", "sw1a1aa"],
    ["K1A 0B1", "CA", "k1a0b1"],
    ["10115", "DE", "10115"],
    ["75018", "FR", "75018"],
    ["1012 AB", "NL", "1012ab"],
    ["114 55", "SE", "11455"],
    ["00-950", "PL", "00950"],
    ["1000-001", "PT", "1000001"],
    ["L-1234", "LU", "l1234"],
    ["8001", "CH", "8001"],
    ["D02 X285", "IE", "d02x285"]
  ] as const)("zip %j in %s -> %j", (raw, country, expected) => {
    expect(metaZip(raw, country)).toBe(expected)
  })

  it.each([
    ["DE", "de"],
    ["gb", "gb"],
    ["Germany", undefined]
  ])("country %j -> %j", (raw, expected) => {
    expect(metaCountry(raw)).toBe(expected)
  })

  it("external id: trimmed, lower case, no whitespace", () => {
    expect(metaExternalId("Cust 42")).toBe("cust42")
  })
})

describe("hashing", () => {
  const digest = "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"

  it("passes an existing SHA-256 digest through, lower-cased, without hashing it again", () => {
    expect(looksHashed(digest)).toBe(true)
    expect(hashWith(digest, metaEmail)).toBe(digest.toLowerCase())
  })

  it("does not mistake other hex for a digest", () => {
    expect(looksHashed("abc123")).toBe(false)
    expect(looksHashed(`${digest}0`)).toBe(false)
  })

  it("returns undefined for empty and unnormalizable input", () => {
    expect(hashWith(undefined, metaEmail)).toBeUndefined()
    expect(hashWith("   ", metaEmail)).toBeUndefined()
    expect(hashWith("nope", metaEmail)).toBeUndefined()
  })
})
