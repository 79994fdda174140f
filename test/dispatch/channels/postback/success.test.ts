import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { judge, type SuccessRule, successRule } from "../../../../src/dispatch/channels/postback/success.js"

const rule = (success: Parameters<typeof successRule>[0]): SuccessRule => Either.getOrThrow(successRule(success))

describe("judging a postback response", () => {
  const cases: ReadonlyArray<readonly [Parameters<typeof successRule>[0], number, string, string]> = [
    [undefined, 200, "OK", "Delivered"],
    [undefined, 204, "", "Delivered"],
    [undefined, 302, "", "Rejected permanent"],
    [{ status: "2xx,302" }, 302, "", "Delivered"],
    [{ status: "200" }, 204, "", "Rejected permanent"],
    [{ status: "200, 201" }, 201, "", "Delivered"],
    [undefined, 400, "bad", "InvalidPayload permanent"],
    [undefined, 404, "", "Rejected permanent"],
    [undefined, 422, "", "InvalidPayload permanent"],
    [undefined, 401, "", "Unauthorized permanent"],
    [undefined, 403, "", "Unauthorized permanent"],
    [undefined, 408, "", "Timeout retryable"],
    [undefined, 429, "", "RateLimited retryable"],
    [undefined, 500, "", "ServerError retryable"],
    [undefined, 503, "", "ServerError retryable"],
    [{ bodyNotMatches: "success=false" }, 200, "success=false; err_msg=Duplicate;", "Rejected permanent"],
    [{ bodyNotMatches: "success=false" }, 200, "success=true;", "Delivered"],
    [{ bodyNotMatches: "/SUCCESS\\s*=\\s*FALSE/i" }, 200, "success = false", "Rejected permanent"],
    [{ bodyMatches: "success=true" }, 200, "success=true;", "Delivered"],
    [{ bodyMatches: "success=true" }, 200, "", "Rejected permanent"],
    [{ bodyMatches: "/ok/g" }, 200, "ok", "Delivered"],
    [{ bodyNotMatches: "error" }, 500, "error", "ServerError retryable"]
  ]
  it.each(cases)("%j, HTTP %i %j -> %s", (success, status, body, expected) => {
    const verdict = judge(rule(success), status, body)
    const summary =
      verdict._tag === "Delivered" ? "Delivered" : `${verdict.reason} ${verdict.retryable ? "retryable" : "permanent"}`
    expect(summary).toBe(expected)
  })

  it("gives the same answer every time, even with a global regex", () => {
    const r = rule({ bodyMatches: "/ok/g" })
    expect([judge(r, 200, "ok")._tag, judge(r, 200, "ok")._tag, judge(r, 200, "ok")._tag]).toEqual([
      "Delivered",
      "Delivered",
      "Delivered"
    ])
  })

  it("quotes the matched text and a short snippet of the body", () => {
    const verdict = judge(
      rule({ bodyNotMatches: "err_msg=[^;]*" }),
      200,
      `success=false;\n  err_msg=Invalid Trans. ID;${"x".repeat(500)}`
    )
    expect(verdict).toMatchObject({ _tag: "Failed", reason: "Rejected" })
    const detail = verdict._tag === "Failed" ? verdict.detail : ""
    expect(
      detail.startsWith(
        'response matched bodyNotMatches /err_msg=[^;]*/: "err_msg=Invalid Trans. ID" in "success=false; err_msg='
      )
    ).toBe(true)
    expect(detail.length).toBeLessThan(320)
  })
})
