// The folders of src/ import each other in one direction only (src/README.md draws it): a folder may
// import the folders listed before it in LAYERS, never one listed after it, so no folder import cycle
// can come back. A new folder must take its place in the list (and in the README).
import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { describe, expect, it } from "vitest"

/** Bottom first. The same order as src/README.md. */
const LAYERS = [
  "lib",
  "db",
  "events",
  "jobs",
  "tokens",
  "reports",
  "config",
  "conversion",
  "api",
  "rules",
  "alerts",
  "normalize",
  "dispatch",
  "privacy",
  "projections",
  "orders",
  "webhooks",
  "operations",
  "demo",
  "console",
  "http",
  "ingest",
  "stages",
  "cli"
] as const

const src = path.resolve(import.meta.dirname, "../src")

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []
  )

// Static imports, re-exports and dynamic import("..."), type-only ones included: a type import ties
// the folders as much as a value import does.
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/gm

const folderOf = (file: string): string | undefined => {
  const parts = path.relative(src, file).split(path.sep)
  return parts.length > 1 ? parts[0] : undefined
}

/** Every import from one folder of src/ into another, as "from -> to: file". */
const folderImports = () =>
  sourceFiles(src).flatMap((file) => {
    const from = folderOf(file)
    if (from === undefined) return []
    return [...readFileSync(file, "utf8").matchAll(SPECIFIER)].flatMap((m) => {
      const to = folderOf(path.resolve(path.dirname(file), (m[1] ?? m[2]) as string))
      return to === undefined || to === from ? [] : [{ from, to, file: path.relative(src, file) }]
    })
  })

describe("src/ folder layers", () => {
  const imports = folderImports()

  it("finds the imports it checks", () => {
    expect(imports.length).toBeGreaterThan(100)
    expect(imports).toContainEqual({ from: "http", to: "lib", file: "http/Http.ts" })
  })

  it("lists every folder of src/", () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
    expect([...folders].sort()).toEqual([...LAYERS].sort())
  })

  it("has no import from a folder into one above it (so no folder cycle)", () => {
    const rank = new Map<string, number>(LAYERS.map((f, i) => [f, i]))
    const upward = imports
      .filter(({ from, to }) => (rank.get(to) ?? -1) > (rank.get(from) ?? -1))
      .map(({ from, to, file }) => `${file} imports ${to}/ (${to} is above ${from} in src/README.md)`)
    expect(upward).toEqual([])
  })
})
