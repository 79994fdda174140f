import { describe, expect, it } from "vitest"
import { parseJson } from "../../src/lib/json.js"

describe("parseJson", () => {
  it("keeps integers beyond 2^53 exactly, as strings", () => {
    const r = parseJson('{"id": 820982911946154508, "small": 42, "neg": -9007199254740993, "f": 1.5e3}')
    expect(r).toEqual({ ok: true, value: { id: "820982911946154508", small: 42, neg: "-9007199254740993", f: 1500 } })
  })

  it("leaves digits inside strings alone", () => {
    const r = parseJson('{"note": "order 820982911946154508 \\"quoted\\" 123", "n": 1}')
    expect(r).toEqual({ ok: true, value: { note: 'order 820982911946154508 "quoted" 123', n: 1 } })
  })

  it("refuses nesting beyond the limit without throwing", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000)
    const r = parseJson(deep)
    expect(r.ok).toBe(false)
    expect(r.ok ? "" : r.error).toMatch(/nesting deeper than 64/)
    expect(parseJson("[".repeat(64) + "]".repeat(64)).ok).toBe(true)
  })

  it("drops __proto__ and constructor keys", () => {
    const r = parseJson('{"a": {"__proto__": {"polluted": true}, "b": 1}, "constructor": {"prototype": 1}}')
    expect(r.ok).toBe(true)
    const value = (r as { value: { a: Record<string, unknown> } }).value
    expect(Object.keys(value)).toEqual(["a"])
    expect(Object.hasOwn(value.a, "__proto__")).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it("reads the escape \\u0000 as U+FFFD (jsonb cannot hold U+0000), in values and keys, and only that escape", () => {
    const r = parseJson('{"note": "a\\u0000b", "k\\u0000": 1, "literal": "\\\\u0000", "other": "\\u0041"}')
    expect(r).toEqual({ ok: true, value: { note: "a\ufffdb", "k\ufffd": 1, literal: "\\u0000", other: "A" } })
  })

  it("reads lone surrogate escapes as U+FFFD and keeps valid pairs", () => {
    const r = parseJson('["\\ud800", "\\udc00x", "\\ud83d\\ude00", "a\\ud83dz", "\\u00e9"]')
    expect(r).toEqual({ ok: true, value: ["\ufffd", "\ufffdx", "\u{1f600}", "a\ufffdz", "é"] })
  })

  it("reports malformed input as an error value", () => {
    const r = parseJson('{"a": ')
    expect(r.ok).toBe(false)
  })
})
