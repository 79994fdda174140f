import { describe, expect, it } from "vitest"
import { googleIdentifiers, metaUserData } from "../../../../src/dispatch/channels/identity/identifiers.js"
import { sha } from "../support/run.js"

describe("one customer, two platforms", () => {
  const customer = {
    email: " Max.Mustermann+Shop@GoogleMail.com ",
    phone: "0151 23456789",
    firstName: "Max",
    lastName: "Mustermann",
    country: "DE"
  }

  it("Meta: trim + lower case email, phone digits without +", () => {
    expect(metaUserData(customer, undefined)).toEqual({
      em: sha("max.mustermann+shop@googlemail.com"),
      ph: sha("4915123456789"),
      fn: sha("max"),
      ln: sha("mustermann"),
      country: sha("de")
    })
  })

  it("Google: googlemail dots and +suffix removed, phone E.164 with +", () => {
    expect(googleIdentifiers(customer, undefined)).toEqual({
      email: sha("maxmustermann@googlemail.com"),
      phone: sha("+4915123456789")
    })
  })
})

describe("the phone's default region", () => {
  it.each([
    ["AT", "0664 1234567", "+436641234567"],
    ["CH", "044 668 18 00", "+41446681800"],
    ["BE", "0470 12 34 56", "+32470123456"],
    ["NL", "06 12345678", "+31612345678"],
    ["LU", "621 123 456", "+352621123456"],
    ["IT", "06 1234 5678", "+390612345678"],
    ["ES", "612 345 678", "+34612345678"],
    ["PT", "912 345 678", "+351912345678"],
    ["PL", "512 345 678", "+48512345678"],
    ["DK", "20 12 34 56", "+4520123456"],
    ["IE", "085 123 4567", "+353851234567"]
  ])("falls back to the market (%s) when the customer has no country", (market, phone, e164) => {
    expect(googleIdentifiers({ phone }, market).phone).toBe(sha(e164))
    expect(metaUserData({ phone }, market)).toEqual({ ph: sha(e164.slice(1)), country: sha(market.toLowerCase()) })
  })

  it("prefers the customer's own country over the market", () => {
    // A French number typed nationally by a customer of the German shop.
    expect(googleIdentifiers({ phone: "06 12 34 56 78", country: "FR" }, "DE").phone).toBe(sha("+33612345678"))
  })

  it("drops a number that is invalid in the region rather than guessing", () => {
    // 012x is no German area code.
    expect(googleIdentifiers({ phone: "01 23 45 67 89" }, "DE")).toEqual({})
    expect(metaUserData({ phone: "01 23 45 67 89" }, "DE")).toEqual({ country: sha("de") })
  })
})

describe("already hashed values", () => {
  it("pass through unchanged for both platforms", () => {
    const email = sha("someone@example.com")
    const phone = sha("+4915123456789").toUpperCase()
    expect(googleIdentifiers({ email, phone }, "DE")).toEqual({ email, phone: phone.toLowerCase() })
    expect(metaUserData({ email, phone }, "DE")).toEqual({ em: email, ph: phone.toLowerCase(), country: sha("de") })
  })
})

describe("nothing usable", () => {
  it("yields no identifiers at all", () => {
    expect(googleIdentifiers({ email: "n/a", phone: "none" }, undefined)).toEqual({})
    expect(metaUserData({}, undefined)).toEqual({})
  })
})
