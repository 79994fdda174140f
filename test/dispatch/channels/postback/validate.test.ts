import { describe, expect, it } from "vitest"
import { validatePostbackTarget } from "../../../../src/dispatch/channels/postback/validate.js"
import type { PostbackTarget } from "../../../../src/events/configSchema.js"
import { target } from "./fixtures.js"

const problems = (patch: Partial<PostbackTarget>) => validatePostbackTarget(target(patch))

describe("validatePostbackTarget", () => {
  it("accepts the contract's Awin example and a full-featured target", () => {
    expect(
      problems({
        url: "https://www.awin1.com/sread.php?tt=ss&tv=2&merchant=1001&amount={amount}&cr={currency}&ref={order_id}&cks={click_id}&testmode=0",
        success: { status: "2xx" }
      })
    ).toEqual([])
    expect(
      problems({
        method: "POST",
        url: "https://api.example.com/Advertisers/{env:ACCOUNT}/Conversions",
        body: '{"ClickId": "{click_id}", "Amount": {amount}, "Items": "{items}", "Time": {timestamp}}',
        headers: { Authorization: "env:IMPACT_AUTH", Accept: "application/json" },
        success: { status: "200,201", bodyNotMatches: "/error/i" },
        clickId: "irclickid",
        statusChange: { url: "https://api.example.com/reverse?oid={order_id}&s={status}&a={amount}" }
      })
    ).toEqual([])
  })

  const cases: ReadonlyArray<readonly [string, Partial<PostbackTarget>, ReadonlyArray<string>]> = [
    [
      "an unknown variable, with a hint",
      { url: "https://p.example/x?c={clickid}" },
      ["url: unknown variable {clickid} (did you mean {click_id}?)"]
    ],
    [
      "a wrongly cased variable",
      { url: "https://p.example/x?c={Click_ID}" },
      ["url: unknown variable {Click_ID} (did you mean {click_id}?)"]
    ],
    [
      "an unknown variable without a close match",
      { url: "https://p.example/x?c={zzzzzzzz}" },
      [
        expect.stringMatching(/^url: unknown variable \{zzzzzzzz\} \(known: click_id, order_id, .*sub5\)$/)
      ] as unknown as Array<string>
    ],
    [
      "a template in the host",
      { url: "https://{partner}.example.com/x" },
      ["url: variables are not allowed in the scheme, host or port (only in the path, query and body)"]
    ],
    [
      "a template as the whole host",
      { url: "http://{env:HOST}/x" },
      ["url: variables are not allowed in the scheme, host or port (only in the path, query and body)"]
    ],
    [
      "a template in the port",
      { url: "http://p.example:{amount}/x" },
      ["url: variables are not allowed in the scheme, host or port (only in the path, query and body)"]
    ],
    ["a template as the scheme", { url: "{url}" }, ["url: must start with http:// or https://"]],
    ["another scheme", { url: "ftp://p.example/x" }, ["url: the scheme must be http or https"]],
    ["no scheme", { url: "p.example/x?c={click_id}" }, ["url: must start with http:// or https://"]],
    ["not a URL", { url: "http://exa mple.com/x" }, ["url: not a valid URL"]],
    [
      "credentials in the URL",
      { url: "https://user:pw@p.example/x" },
      ["url: credentials in the URL would be logged; use headers with env:NAME references"]
    ],
    [
      "the metadata address",
      { url: "http://169.254.169.254/latest" },
      ["url: destination 169.254.169.254 is a link-local address, which postbacks never reach"]
    ],
    [
      "a bad secret reference",
      { url: "https://p.example/x?t={env:1BAD}" },
      ["url: {env:1BAD} is not a valid secret reference (env:NAME, letters, digits and _)"]
    ],
    [
      "a body on a GET",
      { url: "https://p.example/x", body: "a=1" },
      ["body: a GET postback cannot send a body (use method: POST)"]
    ],
    [
      "an unquoted string placeholder in JSON",
      { method: "POST", url: "https://p.example/x", body: '{"c": {click_id}}' },
      ['body: not valid JSON once filled in (put quotes around string placeholders: "{click_id}")']
    ],
    [
      "an unknown variable in a form body",
      { method: "POST", url: "https://p.example/x", body: "a={amout}" },
      ["body: unknown variable {amout} (did you mean {amount}?)"]
    ],
    [
      "a broken statusChange",
      {
        url: "https://p.example/x",
        statusChange: { url: "https://p.example/s?x={state}", method: "GET", body: "x=1" }
      },
      [
        "statusChange.url: unknown variable {state} (did you mean {status}?)",
        "statusChange.body: a GET postback cannot send a body"
      ]
    ],
    [
      "bad regexes",
      { url: "https://p.example/x", success: { bodyMatches: "(", bodyNotMatches: "/[/" } },
      [
        expect.stringMatching(/^success\.bodyMatches: invalid regular expression/),
        expect.stringMatching(/^success\.bodyNotMatches: invalid regular expression/)
      ] as unknown as Array<string>
    ],
    [
      "a bad status rule",
      { url: "https://p.example/x", success: { status: "2xx,ok,600" } },
      ['success.status: "ok", "600" is not a status class (2xx) or code (200)']
    ],
    [
      "templated and broken headers",
      {
        url: "https://p.example/x",
        headers: { "X-Click": "{click_id}", "Bad Name": "x", "X-Key": "env:bad-name", "X-Nl": "a\r\nb" }
      },
      [
        "headers.X-Click: header values are static, {...} is not substituted (secrets: env:NAME)",
        'headers: "Bad Name" is not a valid header name',
        "headers.X-Key: secret references look like env:NAME (letters, digits and _)",
        "headers.X-Nl: line breaks are not allowed"
      ]
    ],
    [
      "a bad click id key",
      { url: "https://p.example/x", clickId: "a b" },
      ['clickId: "a b" is not a click id key (e.g. awc, irclickid)']
    ]
  ]

  it.each(cases)("reports %s", (_, patch, expected) => {
    expect(problems(patch)).toEqual(expected)
  })
})
