import { describe, expect, it } from "vitest"
import { renderRedispatch } from "../../src/operations/format.js"
import { formatDuration, progressLine, rebuildSummary, throttled } from "../../src/operations/progress.js"

describe("progress and summaries", () => {
  it("shows done / total, rate and ETA", () => {
    expect(progressLine("conversions", 12_000, 48_000, 1_500)).toBe(
      "conversions: 12,000 / 48,000 events (25%), 8,000 events/s, ETA 4.5 s"
    )
    expect(progressLine("conversions", 48_000, 48_000, 6_000)).toBe(
      "conversions: 48,000 / 48,000 events (100%), 8,000 events/s"
    )
    expect(progressLine("redispatch", 50, 200, 1_000, "orders")).toBe(
      "redispatch: 50 / 200 orders (25%), 50 orders/s, ETA 3.0 s"
    )
  })

  it.each([
    [250, "250 ms"],
    [4_500, "4.5 s"],
    [125_000, "2 min 5 s"],
    [7_500_000, "2 h 5 min"]
  ])("formats %i ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text))

  it("redraws at most every interval, and always when forced", () => {
    let t = 0
    const due = throttled(100, () => t)
    expect(due()).toBe(true)
    t = 50
    expect(due()).toBe(false)
    expect(due(true)).toBe(true)
    t = 200
    expect(due()).toBe(true)
  })

  it("summarizes a rebuild with the rows that differ", () => {
    const lines = rebuildSummary({
      projection: "conversions",
      fromGeneration: 1,
      toGeneration: 2,
      events: 1234,
      rows: 56,
      added: 1,
      removed: 0,
      changed: 0,
      samples: [{ key: "shop-de:1", change: "added" }],
      durationMs: 2_300
    })
    expect(lines).toEqual([
      "conversions: rebuilt generation 1 -> 2 in 2.3 s: 1,234 events, 56 rows; 1 added, 0 removed, 0 changed",
      "  added: shop-de:1"
    ])
  })

  it("says plainly that a dry run sent nothing", () => {
    const rendered = renderRedispatch({
      dryRun: true,
      force: false,
      selected: 1,
      send: 1,
      skipped: 0,
      notFound: ["shop-de:404"],
      truncated: false,
      items: [
        {
          orderKey: "shop-de:1",
          targetId: "awin",
          kind: "conversion",
          channel: "postback",
          state: "dead_lettered",
          attempts: 1,
          action: "would_send",
          summary: "GET https://partner.example/p?ref=1"
        }
      ]
    })
    expect(rendered.headline).toBe("dry run: 1 dispatch selected, 1 would be sent, 0 skipped")
    expect(rendered.rows).toEqual([
      ["shop-de:1", "awin", "conversion", "dead_lettered", "would send", "GET https://partner.example/p?ref=1"]
    ])
    expect(rendered.footer).toEqual([
      "no such order: shop-de:404",
      "nothing was sent (dry run); run again with --yes to send"
    ])
  })
})
