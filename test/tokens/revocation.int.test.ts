// Revocation reaches every process: two service instances on one database both accept a token
// (their caches warm), it is revoked from a third process (the CLI), and both refuse it right away
// (LISTEN/NOTIFY), with no cache expiry to wait for. `s2s tokens list` shows what an admin needs to
// decide what to revoke, never the token; last use is written about once a minute, not per request.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { appSql } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"

const CONFIG = `
sources:
  - { id: custom, kind: generic, company: globex }
`

let a: RunningService
let b: RunningService
let sql: Sql

const s2s = async (...args: Array<string>) =>
  (
    await promisify(execFile)("node", ["bin/s2s.js", ...args], {
      env: { ...process.env, DATABASE_URL: a.databaseUrl },
      encoding: "utf8"
    })
  ).stdout

const created = async (...args: Array<string>) => {
  const out = (await s2s("tokens", "create", ...args)).trim().split("\n")
  return { token: out.at(-1)!, id: /created token (tok_[0-9a-f]+)/.exec(out[0]!)![1]! }
}

beforeAll(async () => {
  a = await startService({ config: CONFIG })
  b = await startService({ config: CONFIG, databaseUrl: a.databaseUrl })
  sql = appSql(a.databaseUrl)
})

const api = (service: RunningService, token: string) =>
  fetch(`${service.baseUrl}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)

const ingest = (service: RunningService, token: string) =>
  fetch(`${service.baseUrl}/webhooks/custom`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ id: `o-${Math.random()}`, status: "pending", currency: "EUR", total: "1.00" })
  }).then((r) => r.status)

/** Polls until `check` gives `want` (a deadline far below the old 30 s cache, not a timing claim). */
const until = async (check: () => Promise<number>, want: number) =>
  eventually(async () => ((await check()) === want ? true : undefined), 5_000)

describe("a revoked token", () => {
  it("is refused by every instance once revoked from another process", async () => {
    const admin = await created("--scope", "admin", "--label", "ci")
    expect(await api(a, admin.token)).toBe(200)
    expect(await api(b, admin.token)).toBe(200)
    expect(await api(a, admin.token)).toBe(200) // now from a's cache

    const out = await s2s("tokens", "revoke", admin.id)
    expect(out).toContain(`revoked ${admin.id}`)
    await until(() => api(a, admin.token), 401)
    await until(() => api(b, admin.token), 401)
  })

  it("stops opening its generic source on every instance", async () => {
    const token = await created("--scope", "ingest", "--source", "custom")
    expect(await ingest(a, token.token)).toBe(202)
    expect(await ingest(b, token.token)).toBe(202)
    await s2s("tokens", "revoke", "--id", token.id)
    await until(() => ingest(a, token.token), 401)
    await until(() => ingest(b, token.token), 401)
  })

  it("is refused after a revocation by plain SQL too (the database notifies, not the CLI)", async () => {
    const audit = await created("--scope", "audit")
    expect(await api(a, audit.token)).toBe(200)
    await sql`update api_tokens set revoked_at = now() where token_id = ${audit.id}`
    await until(() => api(a, audit.token), 401)
  })
})

describe("s2s tokens list", () => {
  it("shows id, scope, source, created, last use and revoked, never the token", async () => {
    const used = await created("--scope", "operate", "--label", "grafana")
    const unused = await created("--scope", "ingest", "--source", "custom")
    expect(await api(a, used.token)).toBe(200)
    await eventually(async () => {
      const rows = await sql`select 1 from api_tokens where token_id = ${used.id} and last_used_at is not null`
      return rows.length > 0 ? true : undefined
    })
    const text = await s2s("tokens", "list")
    expect(text).not.toContain(used.token)
    expect(text).not.toContain(unused.token)
    const header = text.split("\n")[0]!
    expect(header.split(/\s{2,}/)).toEqual(["ID", "SCOPE", "SOURCE", "CREATED", "LAST USE", "REVOKED", "LABEL"])
    const line = (id: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith(id))!
        .split(/\s{2,}/)
    expect(line(used.id)).toEqual([
      used.id,
      "operate",
      "-",
      expect.stringMatching(/^\d{4}-.*Z$/),
      expect.stringMatching(/^\d{4}-.*Z$/),
      "-",
      "grafana"
    ])
    expect(line(unused.id)).toEqual([unused.id, "ingest", "custom", expect.stringMatching(/Z$/), "-", "-", "-"])

    await s2s("tokens", "revoke", unused.id)
    const json = JSON.parse(await s2s("tokens", "list", "--json")) as Array<Record<string, unknown>>
    const revoked = json.find((t) => t.id === unused.id)!
    expect(Object.keys(revoked).sort()).toEqual([
      "createdAt",
      "id",
      "label",
      "lastUsedAt",
      "revokedAt",
      "scope",
      "source"
    ])
    expect(revoked.revokedAt).toEqual(expect.stringMatching(/^\d{4}-/))
    expect(JSON.stringify(json)).not.toContain(used.token)
  })

  it("records last use without a write per request", async () => {
    const token = await created("--scope", "audit")
    expect(await api(a, token.token)).toBe(200)
    const version = async () =>
      (
        await sql<Array<{ xmin: string; at: Date | null }>>`
        select xmin::text, last_used_at as at from api_tokens where token_id = ${token.id}`
      )[0]!
    const first = await eventually(async () => ((await version()).at === null ? undefined : await version()))
    for (let i = 0; i < 20; i++) expect(await api(a, token.token)).toBe(200)
    // Every UPDATE writes a new row version (a new xmin): none happened for those 20 requests.
    expect(await version()).toEqual(first)
  })

  it("revoke without an id is a usage error (exit 2)", async () => {
    const error = await s2s("tokens", "revoke").catch((e: { code: number; stderr: string }) => e)
    expect(error).toMatchObject({ code: 2 })
  })
})
