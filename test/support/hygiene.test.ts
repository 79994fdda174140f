// The test suite waits on conditions, never for a guessed time: a fixed sleep is slow when the machine
// is idle and flaky when it is busy. Only test/support/wait.ts may await a timer; a test that must let
// time pass on purpose (proving that something does NOT happen within a window, or pacing a load) calls
// its `deliberatePause(ms, reason)`, which names why.
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(import.meta.dirname, "..")
/** The benchmarks measure time on purpose and are not tests. */
const SKIPPED = new Set(["bench"])
/** The helpers themselves, and this file (its examples). */
const ALLOWED = new Set(["support/wait.ts", "support/hygiene.test.ts"])

const sources = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return dir === ROOT && SKIPPED.has(entry.name) ? [] : sources(full)
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : []
  })

/** Ways to await a timer: a promise resolved by setTimeout, timers/promises, Effect.sleep. */
const SLEEPS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "a promise resolved by setTimeout",
    /new\s+Promise\s*(?:<[^>]*>)?\(\s*\(?\s*(\w+)\s*\)?\s*=>\s*setTimeout\(\s*\1\s*,/
  ],
  ["timers/promises", /["']node:timers\/promises["']|["']timers\/promises["']/],
  ["Effect.sleep", /\bEffect\.sleep\(/]
]

const fixedSleeps = (files: ReadonlyArray<string>) =>
  files.flatMap((file) => {
    const rel = path.relative(ROOT, file)
    if (ALLOWED.has(rel)) return []
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        SLEEPS.filter(([, pattern]) => pattern.test(line)).map(([what]) => `test/${rel}:${i + 1}: ${what}`)
      )
  })

describe("the test suite's hygiene", () => {
  it("awaits no timer outside test/support/wait.ts (wait on a condition, or name a deliberatePause)", () => {
    expect(fixedSleeps(sources(ROOT))).toEqual([])
  })

  it("recognises the fixed sleeps it forbids", () => {
    const probe = path.join(ROOT, "support", "wait.ts")
    expect(fixedSleeps([probe])).toEqual([])
    const lines = [
      "await new Promise((r) => setTimeout(r, 100))",
      "await new Promise<void>((resolve) => setTimeout(resolve, 20))",
      'import { setTimeout as sleep } from "node:timers/promises"',
      'yield* Effect.sleep("5 millis")'
    ]
    expect(lines.map((line) => SLEEPS.some(([, pattern]) => pattern.test(line)))).toEqual([true, true, true, true])
    // A scripted reply delay of a fake partner is not a wait of the test.
    expect(SLEEPS.some(([, pattern]) => pattern.test("if (reply.delayMs) setTimeout(send, reply.delayMs)"))).toBe(false)
  })
})
