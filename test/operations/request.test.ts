import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseInstant, redispatchRequest, renormalizeRequest } from "../../src/operations/request.js"

const message = <A>(e: Either.Either<A, { message: string }>) => (Either.isLeft(e) ? e.left.message : undefined)

describe("operator requests", () => {
  it.each([
    ["2026-11-20", "2026-11-20T00:00:00.000Z"],
    ["2026-11-20T10:15", "2026-11-20T10:15:00.000Z"],
    ["2026-11-20T10:15:30Z", "2026-11-20T10:15:30.000Z"],
    ["2026-11-20T11:15:30+01:00", "2026-11-20T10:15:30.000Z"],
    ["2026-11-20T10:15:30.250", "2026-11-20T10:15:30.250Z"]
  ])("reads %s as %s (no offset: UTC)", (text, iso) => {
    expect(Either.getOrThrow(parseInstant(text, "from"))?.toISOString()).toBe(iso)
  })

  it.each(["yesterday", "20.11.2026", "2026-13-45", "1732100000"])("refuses %s", (text) => {
    expect(message(parseInstant(text, "from"))).toBe(`from is not an ISO 8601 date or time: "${text}"`)
  })

  it("defaults a re-dispatch to a dry run of conversions without force", () => {
    expect(Either.getOrThrow(redispatchRequest({ orderKeys: [" shop-de:1 ", "", "shop-de:1"] }))).toEqual({
      orderKeys: ["shop-de:1"],
      target: undefined,
      from: undefined,
      to: undefined,
      state: undefined,
      kind: "conversion",
      force: false,
      reason: "operator re-dispatch",
      dryRun: true
    })
  })

  it("refuses a re-dispatch of everything and an empty range", () => {
    expect(message(redispatchRequest({ dryRun: false, force: true }))).toBe(
      "select what to re-dispatch: give orderKeys, a target, a state or a time range"
    )
    expect(message(redispatchRequest({ target: "awin", from: "2026-11-20", to: "2026-11-20" }))).toBe(
      "from must be before to"
    )
    expect(Either.isRight(redispatchRequest({ state: "dead_lettered" }))).toBe(true)
  })

  it("re-normalizes failures by default, and named webhooks whatever their state", () => {
    expect(Either.getOrThrow(renormalizeRequest({})).state).toBe("failed")
    expect(Either.getOrThrow(renormalizeRequest({ webhookIds: ["w1"] })).state).toBe("all")
    expect(Either.getOrThrow(renormalizeRequest({ webhookIds: ["w1"], state: "failed" })).state).toBe("failed")
    expect(message(renormalizeRequest({ state: "all" }))).toBe(
      "state all needs webhookIds, a sourceId or a from time to bound the selection"
    )
  })
})
