import { describe, expect, it } from "vitest"
import type { Source } from "../../src/events/configSchema.js"
import { reshipment, testOrder } from "../../src/normalize/special.js"

const rules: Source["testOrders"] = {
  emails: ["*@acme.test", "qa+*@*"],
  tags: ["test", "QA-*"],
  ips: ["10.0.*", "2001:db8:ffff:*"]
}

describe("testOrder", () => {
  it.each<[string, Parameters<typeof testOrder>[0], string | undefined]>([
    ["platform flag", { platformTest: "shopify test: true", tags: [] }, "platform test flag (shopify test: true)"],
    ["email glob", { email: "lena@ACME.test", tags: [] }, 'testOrders.emails "*@acme.test" matched the email'],
    [
      "second email glob",
      { email: "qa+checkout@example.com", tags: [] },
      'testOrders.emails "qa+*@*" matched the email'
    ],
    ["tag, case-insensitive", { tags: ["vip", "Test"] }, 'testOrders.tags "test" matched tag "Test"'],
    ["tag glob", { tags: ["qa-berlin"] }, 'testOrders.tags "QA-*" matched tag "qa-berlin"'],
    ["ip glob", { tags: [], clientIp: "10.0.3.7" }, 'testOrders.ips "10.0.*" matched the client IP'],
    [
      "ipv6 glob",
      { tags: [], clientIp: "2001:db8:ffff:0:1::2" },
      'testOrders.ips "2001:db8:ffff:*" matched the client IP'
    ],
    ["a real customer", { email: "lena@example.de", tags: ["vip"], clientIp: "203.0.113.42" }, undefined],
    ["a tag containing test is not the tag test", { tags: ["contest-winner"] }, undefined]
  ])("%s", (_, input, detail) => {
    expect(testOrder(input, rules)).toEqual(detail === undefined ? undefined : { reason: "test_order", detail })
  })

  it("without rules only the platform flag counts", () => {
    expect(testOrder({ email: "x@acme.test", tags: ["test"] }, undefined)).toBeUndefined()
  })

  it("never names the email or IP in the detail", () => {
    const detail = testOrder({ email: "someone@acme.test", tags: [], clientIp: "10.0.0.1" }, rules)?.detail ?? ""
    expect(detail).not.toContain("someone")
    expect(testOrder({ tags: [], clientIp: "10.0.0.1" }, rules)?.detail).not.toContain("10.0.0.1")
  })
})

describe("reshipment", () => {
  it.each<[string, Parameters<typeof reshipment>[0], Source["reshipments"], string | undefined]>([
    [
      "default tag, any case",
      { tags: ["Reexpedition"], attributes: [], valueMinor: 0 },
      undefined,
      'reshipment tag "Reexpedition" (pattern "reexpedition")'
    ],
    [
      "default tag re-expedition",
      { tags: ["re-expedition"], attributes: [], valueMinor: 4990 },
      undefined,
      'reshipment tag "re-expedition" (pattern "re-expedition")'
    ],
    [
      "default tag reship",
      { tags: ["reship"], attributes: [], valueMinor: 4990 },
      undefined,
      'reshipment tag "reship" (pattern "reship")'
    ],
    [
      "configured tags replace the defaults",
      { tags: ["reship"], attributes: [], valueMinor: 0 },
      { tags: ["ersatz*"] },
      undefined
    ],
    [
      "configured tag glob",
      { tags: ["Ersatzlieferung"], attributes: [], valueMinor: 0 },
      { tags: ["ersatz*"] },
      'reshipment tag "Ersatzlieferung" (pattern "ersatz*")'
    ],
    [
      "default attribute",
      { tags: [], attributes: [["reshipment", "yes"]], valueMinor: 2995 },
      undefined,
      'reshipment attribute "reshipment"'
    ],
    [
      "configured attribute",
      { tags: [], attributes: [["_replacement", "1"]], valueMinor: 2995 },
      { noteAttributes: ["_replacement"] },
      'reshipment attribute "_replacement"'
    ],
    [
      "attribute saying false",
      { tags: [], attributes: [["reshipment", "false"]], valueMinor: 2995 },
      undefined,
      undefined
    ],
    [
      "zero value naming the original order",
      { tags: [], attributes: [["original_order", "#1042"]], valueMinor: 0 },
      undefined,
      'zero-value order replacing order "#1042" (attribute "original_order")'
    ],
    [
      "a paid order naming an original order is a real sale",
      { tags: [], attributes: [["original_order", "#1042"]], valueMinor: 1990 },
      undefined,
      undefined
    ],
    ["a zero-value order alone is not a reshipment", { tags: [], attributes: [], valueMinor: 0 }, undefined, undefined]
  ])("%s", (_, input, config, detail) => {
    expect(reshipment(input, config)).toEqual(detail === undefined ? undefined : { reason: "reshipment", detail })
  })
})
