// `s2s config apply / show` as an operator runs them: exit codes, messages, idempotence.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/db.js"
import { tempDir } from "../support/tmp.js"

let databaseUrl: string
let dir: string
beforeAll(async () => {
  databaseUrl = await freshDatabase()
  dir = tempDir("cli-config")
})

const s2s = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const r = spawnSync("node", ["bin/s2s.js", ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
    encoding: "utf8"
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const file = async (name: string, text: string) => {
  const p = path.join(dir, name)
  await fs.writeFile(p, text)
  return p
}

const VALID = `
sources: [{ id: shop-de, kind: shopify, company: acme, secret: env:CLI_SHOP_SECRET }]
targets: [{ id: awin, channel: postback, url: "https://www.awin1.com/sread.php?amount={amount}&ref={order_id}&cks={click_id}" }]
rules: [{ id: awin-all, company: "*", product: "*", partner: awin, target: awin }]
`

describe("s2s config", () => {
  it("applies a file as events, then finds nothing to change the second time", async () => {
    const p = await file("valid.yaml", VALID)
    const first = s2s(["config", "apply", p], { CLI_SHOP_SECRET: "x" })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain("recorded SourceRegistered (source:shop-de)")
    expect(first.stdout).toContain("3 event(s) recorded")
    const again = s2s(["config", "apply", p], { CLI_SHOP_SECRET: "x" })
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("no changes")
    const show = s2s(["config", "show"])
    expect(show.code).toBe(0)
    expect(show.stdout).toContain("id: shop-de")
    expect(show.stdout).toContain("secret: env:CLI_SHOP_SECRET")
  })

  it("--check names the missing environment variable, records nothing and exits 1", async () => {
    const p = await file("check.yaml", VALID.replace("company: acme", "company: acme2"))
    const r = s2s(["config", "apply", p, "--check"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("CLI_SHOP_SECRET")
    expect(r.stdout).toContain("would record SourceChanged on config:source:shop-de")
    expect(s2s(["config", "show"]).stdout).not.toContain("acme2")
  })

  it("refuses to apply with an env:NAME variable unset (exit 1, nothing recorded) unless --allow-missing-env", async () => {
    const p = await file("unset.yaml", VALID.replace("company: acme", "company: acme3"))
    const refused = s2s(["config", "apply", p])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("CLI_SHOP_SECRET (used by source shop-de)")
    expect(refused.stderr).toContain("Nothing was applied")
    expect(s2s(["config", "show"]).stdout).not.toContain("acme3")
    const allowed = s2s(["config", "apply", p, "--allow-missing-env"])
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stderr).toContain(
      "warning: environment variable CLI_SHOP_SECRET (used by source shop-de) is not set"
    )
    expect(s2s(["config", "show"]).stdout).toContain("acme3")
  })

  it("reports every problem of a file in one pass, sorted, with line and column, and exits 1", async () => {
    const p = await file(
      "many.yaml",
      `sources:
  - { id: shop-de, kind: shopify, company: acme }
partners:
  - { id: aff, when: [aff_id] }
targets:
  - { id: awin, channel: postback, url: "https://x.test/?o={order_idd}" }
rules:
  - { id: r1, company: acme, product: "*", partner: aff, target: nowhere }
`
    )
    const r = s2s(["config", "apply", "--check", p])
    expect(r.code).toBe(1)
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("  - "))
    expect(lines.map((l) => l.replace(/^ {2}- .*many\.yaml:/, "").replace(/ .*/, ""))).toEqual([
      "2:5",
      "4:23",
      "6:5",
      "8:66"
    ])
    expect(lines[1]).toContain('no source captures "aff_id"')
    // The file is checked before the database is opened: the same report with no database to reach.
    const offline = s2s(["config", "apply", p], { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" })
    expect(offline.code, offline.stderr).toBe(1)
    expect(offline.stderr.split("\n").filter((l) => l.startsWith("  - "))).toEqual(lines)
  })

  it("refuses an unknown template variable at apply time, naming it", async () => {
    const p = await file("bad.yaml", VALID.replace("{click_id}", "{clikc_id}"))
    const r = s2s(["config", "apply", p], { CLI_SHOP_SECRET: "x" })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+ targets\[0\].*clikc_id/)
  })

  it("refuses literal secrets without printing them, on stdout or stderr", async () => {
    const p = await file(
      "literal.yaml",
      `
sources: [{ id: shop-de, kind: shopify, company: acme, secret: hunter2-shop }]
targets:
  - { id: meta, channel: meta-capi, pixelId: "1", accessToken: hunter2-meta, testEventCode: hunter2-code }
  - { id: p, channel: postback, url: "https://x.test/?o={order_id}", headers: { Authorization: Bearer hunter2-auth } }
`
    )
    const r = s2s(["config", "apply", p])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/literal\.yaml:2:\d+ sources\[0\]\.secret: secrets must be env:NAME references/)
    expect(r.stderr).toMatch(/literal\.yaml:4:\d+ targets\[0\]\.testEventCode: secrets must be env:NAME references/)
    expect(`${r.stdout}${r.stderr}`).not.toContain("hunter2")
  })

  it("refuses a literal Authorization header of a postback target without printing it", async () => {
    const p = await file(
      "header.yaml",
      `
targets:
  - { id: p, channel: postback, url: "https://x.test/?o={order_id}", headers: { Authorization: Bearer hunter2-auth, Accept: "*/*" } }
`
    )
    const r = s2s(["config", "apply", p])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/header\.yaml:3:\d+ targets\[0\]\.headers\.Authorization: .*must be an env:NAME reference/)
    expect(`${r.stdout}${r.stderr}`).not.toContain("hunter2")
  })

  it("exits 2 on a usage error", () => {
    expect(s2s(["config", "apply"]).code).toBe(2)
  })
})
