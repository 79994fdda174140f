// `onAmbiguous` in s2s.yaml: a postback target's choice for an attempt whose outcome is unknown.
// resend or hold (unset means hold, and is not written into the configuration events); a typo is an
// error naming the allowed values; Meta and Google targets have no such key (they deduplicate).
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/load.js"

const parse = (target: string) => parseConfig(`targets:\n  - { id: t, ${target} }\n`, "s2s.yaml")

const problems = (target: string) => {
  const result = parse(target)
  return Either.isLeft(result) ? result.left.problems : []
}

const postback = 'channel: postback, url: "https://x.test/?o={order_id}"'

describe("onAmbiguous", () => {
  it("takes resend or hold on a postback target, and stays unset when not given", () => {
    expect(Either.getOrThrow(parse(`${postback}, onAmbiguous: resend`)).targets[0]).toMatchObject({
      onAmbiguous: "resend"
    })
    expect(Either.getOrThrow(parse(`${postback}, onAmbiguous: hold`)).targets[0]).toMatchObject({ onAmbiguous: "hold" })
    expect(Either.getOrThrow(parse(postback)).targets[0]).not.toHaveProperty("onAmbiguous")
  })

  it("names the allowed values for anything else", () => {
    expect(problems(`${postback}, onAmbiguous: retry`)).toEqual([
      "s2s.yaml:2:83 targets[0].onAmbiguous: onAmbiguous is resend or hold"
    ])
  })

  it("is not a key of Meta or Google targets", () => {
    expect(problems('channel: meta-capi, pixelId: "1", accessToken: env:T, onAmbiguous: hold')).toEqual([
      "s2s.yaml:2:68 targets[0].onAmbiguous: unknown key (not part of the s2s.yaml format)"
    ])
  })
})
