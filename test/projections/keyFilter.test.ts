import { describe, expect, it } from "vitest"
import { KeyFilter } from "../../src/projections/keyFilter.js"

describe("KeyFilter", () => {
  it("has every key added (no false negatives), and few others", () => {
    const filter = new KeyFilter(16)
    const added = Array.from({ length: 3_000 }, (_, i) => `shop-de:${i * 7919}`)
    for (const key of added) filter.add(key)
    expect(added.every((key) => filter.mayHave(key))).toBe(true)
    const others = Array.from({ length: 10_000 }, (_, i) => `shop-at:${i}`)
    const falsePositives = others.filter((key) => filter.mayHave(key)).length
    expect(falsePositives).toBeLessThan(others.length * 0.05)
    expect(new KeyFilter().mayHave("shop-de:1")).toBe(false)
  })
})
