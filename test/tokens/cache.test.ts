// The revocation bound of the token cache, as a table: when may a cached answer still be used?
import { describe, expect, it } from "vitest"
import { MAX_AGE_MS, REVOCATION_BOUND_MS, TokenCache, usable } from "../../src/tokens/cache.js"
import type { Principal } from "../../src/tokens/Tokens.js"

const principal: Principal = { tokenId: "tok_1", scope: "admin", sourceId: null }
const T = 1_000_000

describe("usable(entry, now, confirmedAt)", () => {
  it.each([
    ["fresh from the database, listener never confirmed", 0, undefined, true],
    ["just under the bound, listener down", REVOCATION_BOUND_MS - 1, undefined, true],
    ["at the bound, listener down: back to the database", REVOCATION_BOUND_MS, undefined, false],
    ["older, listener confirmed by a ping that started just now", 30_000, T + 30_000, true],
    [
      "older, last confirmation as old as the bound (a stalled listener)",
      30_000,
      T + 30_000 - REVOCATION_BOUND_MS,
      false
    ],
    ["older, confirmed long ago", 5_000, T, false],
    ["past the maximum age even with a live listener", MAX_AGE_MS, T + MAX_AGE_MS, false],
    ["from the future (clock moved back)", -5, T, false]
  ] as const)("%s", (_, age, confirmedAt, expected) => {
    expect(usable({ principal, fetchedAt: T }, T + age, confirmedAt)).toBe(expected)
  })
})

describe("TokenCache", () => {
  const clock = () => {
    let now = T
    return { now: () => now, advance: (ms: number) => (now += ms) }
  }

  it("forgets everything on an invalidation (a NOTIFY)", () => {
    const c = clock()
    const cache = new TokenCache(c.now)
    cache.confirm(c.now())
    cache.set("k", principal, cache.begin(), c.now())
    expect(cache.get("k")?.principal).toEqual(principal)
    cache.invalidate()
    expect(cache.get("k")).toBeUndefined()
  })

  it("does not store an answer whose lookup started before an invalidation", () => {
    const c = clock()
    const cache = new TokenCache(c.now)
    const generation = cache.begin()
    cache.invalidate() // the token was revoked while the lookup was in flight
    cache.set("k", principal, generation, c.now())
    expect(cache.get("k")).toBeUndefined()
  })

  it("keeps entries while pings confirm the listener, and drops them within the bound once they stop", () => {
    const c = clock()
    const cache = new TokenCache(c.now)
    cache.set("k", principal, cache.begin(), c.now())
    for (let i = 0; i < 20; i++) {
      cache.confirm(c.now())
      c.advance(250)
      expect(cache.get("k")).toBeDefined()
    }
    // The listener's connection stalls: no ping answers any more.
    c.advance(REVOCATION_BOUND_MS)
    expect(cache.get("k")).toBeUndefined()
  })

  it("drops the confirmation when the listener's connection closes", () => {
    const c = clock()
    const cache = new TokenCache(c.now)
    cache.set("k", principal, cache.begin(), c.now())
    c.advance(REVOCATION_BOUND_MS + 10)
    cache.confirm(c.now())
    expect(cache.get("k")).toBeDefined()
    cache.unconfirm()
    expect(cache.get("k")).toBeUndefined()
  })
})
