import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { type ConfigValidator, parseConfig, secretReferences } from "../../src/config/load.js"
import { configValidators } from "../../src/main.js"

const problems = (yaml: string, validators: ReadonlyArray<ConfigValidator> = []) => {
  const result = parseConfig(yaml, "s2s.yaml", validators)
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
    ).toEqual(["s2s.yaml:6:5 sources[0].colour: unknown key (not part of the s2s.yaml format)"])
  })

  it("refuses literal secrets, naming the env:NAME form", () => {
    const [p] = problems("sources:\n  - { id: a, kind: shopify, company: acme, secret: hunter2 }\n")
    expect(p).toMatch(/^s2s\.yaml:2:52 sources\[0\]\.secret: secrets must be env:NAME references/)
    expect(p).not.toContain("hunter2")
  })

  const google = 'channel: google-ads, customerId: "1234567890", conversionActionId: "1"'
  const meta = 'channel: meta-capi, pixelId: "1"'
  const postback = 'channel: postback, url: "https://x.test/?o={order_id}"'
  // Every kind of secret field, required and optional, given a literal, a non-string or a wrong parent.
  it.each([
    ["sources[0].secret", "sources: [{ id: a, kind: shopify, company: acme, secret: hunter2 }]"],
    ["sources[0].secret", "sources: [{ id: a, kind: stripe, company: acme, secret: [hunter2] }]"],
    [
      "sources[0].previousSecrets[0]",
      "sources: [{ id: a, kind: paddle, company: c, secret: env:S, previousSecrets: [hunter2] }]"
    ],
    [
      "sources[0].previousSecrets",
      "sources: [{ id: a, kind: paddle, company: c, secret: env:S, previousSecrets: hunter2 }]"
    ],
    ["sources", "sources: { id: a, kind: shopify, company: acme, secret: hunter2 }"],
    ["targets[0].credentials", `targets: [{ id: g, ${google}, credentials: hunter2 }]`],
    ["targets[0].developerToken", `targets: [{ id: g, ${google}, credentials: env:G, developerToken: hunter2 }]`],
    ["targets[0].accessToken", `targets: [{ id: m, ${meta}, accessToken: hunter2 }]`],
    ["targets[0].testEventCode", `targets: [{ id: m, ${meta}, accessToken: env:M, testEventCode: hunter2 }]`],
    ["targets[0].headers.Authorization", `targets: [{ id: p, ${postback}, headers: { Authorization: [hunter2] } }]`],
    ["targets[0].headers", `targets: [{ id: p, ${postback}, headers: "Authorization: Bearer hunter2" }]`],
    ["alerts.slack.token", 'alerts: { slack: { token: hunter2, channel: "#a" } }'],
    ["alerts.slack", "alerts: { slack: hunter2 }"]
  ])("never echoes the literal value of a secret field (%s)", (path, yaml) => {
    const found = problems(`${yaml}\n`)
    expect(found.length).toBeGreaterThan(0)
    expect(found.some((p) => new RegExp(`^s2s\\.yaml:1:\\d+ ${path.replace(/[[\].]/g, "\\$&")}: `).test(p))).toBe(true)
    for (const p of found) expect(p).not.toContain("hunter2")
  })

  it("says only 'must be an env:NAME reference' about an optional secret field, once", () => {
    expect(problems(`targets: [{ id: m, ${meta}, accessToken: env:M, testEventCode: hunter2 }]\n`)).toEqual([
      "s2s.yaml:1:89 targets[0].testEventCode: secrets must be env:NAME references (the value is read from that environment variable)"
    ])
  })

  it("requires env:NAME for credential headers of a postback target, and allows other static headers", () => {
    const found = problems(`
targets:
  - id: p
    channel: postback
    url: "https://x.test/?o={order_id}"
    headers:
      Authorization: Bearer hunter2
      X-Api-Key: hunter2
      X-Auth-Token: hunter2
      Cookie: session=hunter2
      Accept: application/json
      User-Agent: acme-s2s/1.0
`)
    expect(found).toEqual(
      ["Authorization", "X-Api-Key", "X-Auth-Token", "Cookie"].map(
        (h, i) =>
          `s2s.yaml:${7 + i}:${h === "Cookie" ? 15 : h === "Authorization" ? 22 : h === "X-Api-Key" ? 18 : 21} targets[0].headers.${h}: ${h} carries a credential, so it must be an env:NAME reference (the variable holds the whole value, e.g. "Bearer ...")`
      )
    )
    expect(
      problems(
        `targets: [{ id: p, ${postback}, headers: { Authorization: env:PARTNER_AUTH, X-Source: acme, Accept: "*/*" } }]\n`
      )
    ).toEqual([])
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
    // Every problem in one pass, sorted by position: the schema's, and the references over the rest.
    expect(found).toEqual([
      's2s.yaml:3:20 sources[0].kind: expected one of "shopify", "woocommerce", "stripe", "paddle", "generic"; got "shopfy"',
      "s2s.yaml:4:5 sources[1].secret: a shopify source needs a secret (env:NAME)",
      's2s.yaml:5:11 sources[2].id: duplicate id "b"',
      's2s.yaml:7:65 rules[0].target: no target with id "nowhere"'
    ])
    const refs = problems(`
sources:
  - { id: b, kind: shopify, company: acme }
  - { id: b, kind: generic, company: acme }
rules:
  - { id: r1, company: "*", product: "*", partner: "*", target: nowhere }
  - { id: r2, company: "*", product: "*", partner: "*" }
`)
    expect(refs).toEqual([
      "s2s.yaml:3:5 sources[0].secret: a shopify source needs a secret (env:NAME)",
      's2s.yaml:4:11 sources[1].id: duplicate id "b"',
      's2s.yaml:6:65 rules[0].target: no target with id "nowhere"',
      "s2s.yaml:7:5 rules[1].target: a rule needs a target unless it is an exclusion (exclude: true)"
    ])
  })

  it("points at the key of an unknown key and at the value of a wrong one, sorted by position", () => {
    expect(
      problems(
        `
targets:
  - id: m
    channel: meta-capi
    pixelId: abc
    accessToken: env:M
    colour: red
  - { id: p, channel: postback, url: "https://x.test/?o={order_idd}" }
sources: [{ id: s, kind: shopify, company: acme, secret: env:S, market: de }]
`,
        configValidators
      )
    ).toEqual([
      's2s.yaml:5:14 targets[0].pixelId: Expected a string matching the pattern ^\\d+$, actual "abc"',
      "s2s.yaml:7:5 targets[0].colour: unknown key (not part of the s2s.yaml format)",
      "s2s.yaml:8:5 targets[1]: url: unknown variable {order_idd} (did you mean {order_id}?)",
      "s2s.yaml:9:73 sources[0].market: a country is an ISO 3166-1 alpha-2 code in upper case, e.g. DE"
    ])
  })

  it("refuses a partner condition on a key no parser extracts, naming the keys that are", () => {
    const config = `
sources: [{ id: s, kind: shopify, company: acme, secret: env:S }]
partners:
  - { id: aff, when: [aff_id, "utm_source=aff"] }
  - { id: awin, when: [awc, transaction_id] }
`
    const [found, ...rest] = problems(config, configValidators)
    expect(rest).toEqual([])
    expect(found).toMatch(
      /^s2s\.yaml:4:23 partners\[0\]\.when\[0\]: no source captures "aff_id", so this condition can never hold; the parsers extract gclid, .*awc, .*sub5, transaction_id, utm_source/
    )
    // A generic source may send any click id under tracking.clickIds.
    const withGeneric = config.replace("secret: env:S }]", "secret: env:S }, { id: c, kind: generic, company: acme }]")
    expect(problems(withGeneric, configValidators)).toEqual([])
  })

  it("reports YAML syntax errors with their line", () => {
    const [p] = problems("sources:\n  - id: a\n   kind: [unclosed\n")
    expect(p).toMatch(/^s2s\.yaml:3:\d+ /)
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
