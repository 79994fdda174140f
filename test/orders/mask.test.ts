import { describe, expect, it } from "vitest"
import { amountText } from "../../src/lib/money.js"
import {
  maskEmail,
  maskIp,
  maskJson,
  maskName,
  maskPhone,
  maskStreet,
  maskText,
  maskZip,
  piiKindOf
} from "../../src/orders/mask.js"

describe("masking one value", () => {
  it.each([
    ["lena.mueller@example.de", "l***@example.de"],
    ["  Anna.Mueller@Example.DE ", "A***@Example.DE "],
    ["x@y.io", "x***@y.io"],
    ["not-an-email", "***"]
  ])("email %j -> %j", (input, expected) => expect(maskEmail(input)).toBe(expected))

  it.each([
    ["+49 151 23456789", "+49 *** ** 89"],
    ["+1 (416) 555-0199", "+1 *** ** 99"],
    ["0049 30 1234534", "+49 *** ** 34"],
    ["070-123 45 67", "*** ** 67"],
    ["(650)555-1212", "*** ** 12"],
    ["112", "***"]
  ])("phone %j -> %j", (input, expected) => expect(maskPhone(input)).toBe(expected))

  it.each([
    ["Lena Müller", "L*** M***"],
    ["Émilie", "É***"],
    ["  Jean-Luc   Picard ", "J*** P***"]
  ])("name %j -> %j", (input, expected) => expect(maskName(input)).toBe(expected))

  it.each([
    ["203.0.113.42", "203.0.*.*"],
    ["2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:*"],
    ["::ffff:198.51.100.7", "::ffff:198.51.*.*"],
    ["not an ip", "***"]
  ])("ip %j -> %j", (input, expected) => expect(maskIp(input)).toBe(expected))

  it("keeps the postal area and the initial of a street", () => {
    expect(maskZip("10115")).toBe("10***")
    expect(maskZip("M1 1AE")).toBe("M1***")
    expect(maskZip("75")).toBe("***")
    expect(maskStreet("Hauptstraße 12")).toBe("H***")
  })

  it("masks e-mail addresses inside text and a text that is an IP address", () => {
    expect(maskText("https://shop.example/?ref=a&email=lena.mueller@example.de&x=1")).toBe(
      "https://shop.example/?ref=a&email=l***@example.de&x=1"
    )
    expect(maskText("https://shop.example/?e=lena.mueller%40example.de&d=lena.mueller%2540example.de")).toBe(
      "https://shop.example/?e=l***%40example.de&d=l***%2540example.de"
    )
    expect(maskText("Rückruf 0151 / 2345 6789 oder +49 (0)151 2345-6789")).toBe("Rückruf *** ** 89 oder +49 *** ** 89")
    expect(maskText("?phone=%2B4915123456789")).toBe("?phone=+49 *** ** 89")
    expect(maskText("203.0.113.42")).toBe("203.0.*.*")
    expect(maskText("order #1042 for 63.26 EUR")).toBe("order #1042 for 63.26 EUR")
  })
})

describe("what a field name announces", () => {
  it.each([
    ["email", "email"],
    ["contact_email", "email"],
    ["billingEmail", "email"],
    ["phone", "phone"],
    ["phone_number", "phone"],
    ["mobile", "phone"],
    ["browser_ip", "ip"],
    ["client_ip_address", "ip"],
    ["customerIpAddress", "ip"],
    ["ip", "ip"],
    ["first_name", "name"],
    ["lastName", "name"],
    ["billing_name", "name"],
    ["cardholder_name", "name"],
    ["address1", "street"],
    ["address_2", "street"],
    ["line1", "street"],
    ["billing_address1", "street"],
    ["zip", "zip"],
    ["postal_code", "zip"],
    ["postcode", "zip"]
  ])("%s is %s", (key, kind) => expect(piiKindOf(key)).toBe(kind))

  it.each([
    "name",
    "title",
    "ship",
    "relationship",
    "membership",
    "zipped_at",
    "tip",
    "sku",
    "company",
    "city",
    "gclid"
  ])("%s is nothing personal", (key) => expect(piiKindOf(key)).toBeUndefined())
})

describe("masking a JSON document", () => {
  it("masks a person's name beside personal fields, never a product's or an attribute's", () => {
    const masked = maskJson({
      name: "#1042",
      billing_address: { name: "Lena Müller", address1: "Hauptstraße 12", city: "Berlin", zip: "10115" },
      line_items: [{ name: "Vitamin D3 1000 IU", sku: "VIT-D3", price: "19.95" }],
      note_attributes: [
        { name: "_fbp", value: "fb.1.1732871512345.987654321" },
        { name: "customer_phone", value: "+49 151 23456789" }
      ],
      meta_data: [{ id: 7, key: "_billing_email", value: "lena.mueller@example.de" }],
      customer: { id: 207119551, email: "lena.mueller@example.de", phone: 4915123456789 }
    })
    expect(masked).toEqual({
      name: "#1042",
      billing_address: { name: "L*** M***", address1: "H***", city: "Berlin", zip: "10***" },
      line_items: [{ name: "Vitamin D3 1000 IU", sku: "VIT-D3", price: "19.95" }],
      note_attributes: [
        { name: "_fbp", value: "fb.1.1732871512345.987654321" },
        { name: "customer_phone", value: "+49 *** ** 89" }
      ],
      meta_data: [{ id: 7, key: "_billing_email", value: "l***@example.de" }],
      customer: { id: 207119551, email: "l***@example.de", phone: "*** ** 89" }
    })
  })

  it("keeps hashed identifiers, empty values, nulls and what is not personal", () => {
    const hash = "f1f836cb4ea6efb2a0b1b99f41ad8b103eff4b59720e1e0cf2a9e5bd2e1b1fc4"
    const doc = {
      user_data: { em: [hash], ph: [hash], client_ip_address: "203.0.113.42", fbc: "fb.1.17.abc" },
      email: "",
      phone: null,
      custom_data: { value: 63.26, currency: "EUR" }
    }
    expect(maskJson(doc)).toEqual({ ...doc, user_data: { ...doc.user_data, client_ip_address: "203.0.*.*" } })
  })

  it("masks a Stripe address object and a free-text street", () => {
    expect(
      maskJson({
        customer_details: {
          name: "Jean Dupont",
          email: "jean@example.fr",
          address: { line1: "12 rue de la Paix", city: "Paris", postal_code: "75002", country: "FR" }
        },
        shipping: { address: "12 rue de la Paix, Paris" }
      })
    ).toEqual({
      customer_details: {
        name: "J*** D***",
        email: "j***@example.fr",
        address: { line1: "1***", city: "Paris", postal_code: "75***", country: "FR" }
      },
      shipping: { address: "1***" }
    })
  })
})

describe("amounts", () => {
  it.each([
    [6326, "EUR", "63.26"],
    [5, "EUR", "0.05"],
    [-2245, "EUR", "-22.45"],
    [1200, "JPY", "1200"],
    [1250, "KWD", "1.250"],
    [0, "CHF", "0.00"]
  ])("%i %s -> %s", (minor, currency, text) => expect(amountText(minor, currency)).toBe(text))
})
