import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseConfig, secretReferences } from "../../src/config/load.js"

const problems = (yaml: string) => {
  const result = parseConfig(yaml, "s2s.yaml")
  return Either.isLeft(result) ? result.left.problems : []
}

describe("parseConfig", () => {
  it("accepts the contract's example shape and applies defaults", () => {
    const result = parseConfig(
      `
sources:
  - id: shop-de
    kind: shopify
    company: acme
    market: DE
    secret: env:SHOP_DE_SECRET
    testOrders: { emails: ["*@acme.test"], tags: ["test"] }
products:
  - { match: { sku: "VIT-*" }, product: vitamins }
partners:
  - { id: google, when: [gclid, gbraid, wbraid, "utm_source=google"] }
targets:
  - { id: google-acme, channel: google-ads, customerId: "1234567890", conversionActionId: "987654321", credentials: env:GOOGLE_ACME_CREDENTIALS }
  - { id: awin, channel: postback, url: "https://www.awin1.com/sread.php?amount={amount}" }
rules:
  - { id: acme-google, company: acme, product: "*", partner: google, target: google-acme }
  - { id: no-samples, company: "*", product: "sample-*", partner: "*", exclude: true }
alerts:
  slack: { token: env:SLACK_BOT_TOKEN, channel: "#tracking-alerts" }
`,
      "s2s.yaml"
    )
    expect(Either.isRight(result)).toBe(true)
    const config = Either.getOrThrow(result)
    expect(config.sources[0]!.enabled).toBe(true)
    expect(config.targets[0]).toMatchObject({ channel: "google-ads", api: "data-manager" })
    expect(config.targets[1]).toMatchObject({ channel: "postback", method: "GET" })
  })

  it("names the file, line and path of an unknown key", () => {
    expect(
      problems("sources:\n  - id: a\n    kind: shopify\n    company: acme\n    secret: env:X\n    colour: red\n")
    ).toEqual(["s2s.yaml:6 sources[0].colour: unknown key (not part of the s2s.yaml format)"])
  })

  it("refuses literal secrets, naming the env:NAME form", () => {
    const [p] = problems("sources:\n  - { id: a, kind: shopify, company: acme, secret: hunter2 }\n")
    expect(p).toMatch(/^s2s\.yaml:2 sources\[0\]\.secret: secrets must be env:NAME references/)
    expect(p).not.toContain("hunter2")
  })

  it("reports every problem at once: wrong enum, missing target, duplicate id, missing secret", () => {
    const found = problems(`
sources:
  - { id: a, kind: shopfy, company: acme }
  - { id: b, kind: shopify, company: acme }
  - { id: b, kind: generic, company: acme }
rules:
  - { id: r1, company: "*", product: "*", partner: "*", target: nowhere }
`)
    expect(found.some((p) => p.startsWith("s2s.yaml:3 sources[0].kind:"))).toBe(true)
    const refs = problems(`
sources:
  - { id: b, kind: shopify, company: acme }
  - { id: b, kind: generic, company: acme }
rules:
  - { id: r1, company: "*", product: "*", partner: "*", target: nowhere }
  - { id: r2, company: "*", product: "*", partner: "*" }
`)
    expect(refs).toEqual([
      's2s.yaml:4 sources[1].id: duplicate id "b"',
      "s2s.yaml:3 sources[0].secret: a shopify source needs a secret (env:NAME)",
      's2s.yaml:6 rules[0].target: no target with id "nowhere"',
      "s2s.yaml:7 rules[1].target: a rule needs a target unless it is an exclusion (exclude: true)"
    ])
  })

  it("reports YAML syntax errors with their line", () => {
    const [p] = problems("sources:\n  - id: a\n   kind: [unclosed\n")
    expect(p).toMatch(/^s2s\.yaml:\d+ /)
  })

  it("lists the env vars a configuration needs and who uses them", () => {
    const config = Either.getOrThrow(
      parseConfig(
        `
sources: [{ id: s, kind: stripe, company: c, secret: env:STRIPE_SECRET, previousSecrets: [env:STRIPE_OLD] }]
targets:
  - { id: m, channel: meta-capi, pixelId: "1", accessToken: env:META_TOKEN }
  - { id: p, channel: postback, url: "https://x.test/?a={order_id}", headers: { X-Key: env:PARTNER_KEY } }
alerts: { slack: { token: env:SLACK_TOKEN, channel: "#a" } }
`,
        "s2s.yaml"
      )
    )
    expect(secretReferences(config).map((r) => r.name)).toEqual([
      "STRIPE_SECRET",
      "STRIPE_OLD",
      "META_TOKEN",
      "PARTNER_KEY",
      "SLACK_TOKEN"
    ])
  })
})
