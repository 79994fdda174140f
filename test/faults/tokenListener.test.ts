// The revocation listener under real faults: its backend stopped (SIGSTOP: the connection stays open
// and answers nothing, like a black-holed network) or terminated (pg_terminate_backend). In both, a
// revoked token must stop working within the cache's bound, and the listener must come back.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { ownerSql } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"

let service: RunningService
let owner: Sql
const stopped: Array<number> = []

beforeAll(async () => {
  service = await startService({ config: "sources:\n  - { id: custom, kind: generic, company: globex }\n" })
  owner = ownerSql(service.databaseUrl)
})

afterEach(() => {
  for (const pid of stopped.splice(0)) process.kill(pid, "SIGCONT")
})

const token = async () => {
  const { stdout } = await promisify(execFile)("node", ["bin/s2s.js", "tokens", "create", "--scope", "admin"], {
    env: { ...process.env, DATABASE_URL: service.databaseUrl },
    encoding: "utf8"
  })
  const lines = stdout.trim().split("\n")
  return { token: lines.at(-1)!, id: /created token (tok_[0-9a-f]+)/.exec(lines[0]!)![1]! }
}

const status = (t: string) =>
  fetch(`${service.baseUrl}/api/v1/rules`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status)

const listenerPid = () =>
  eventually(async () => {
    const rows = await owner<Array<{ pid: number }>>`
      select pid from pg_stat_activity where application_name = 's2s-token-listener' and datname = current_database()`
    return rows.length === 1 ? rows[0]!.pid : undefined
  })

const refusedSoon = (t: string) => eventually(async () => ((await status(t)) === 401 ? true : undefined), 5_000)

describe("the token revocation listener", () => {
  it("a stalled listener connection (backend stopped) does not keep a revoked token alive", async () => {
    const admin = await token()
    expect(await status(admin.token)).toBe(200)
    const pid = await listenerPid()
    process.kill(pid, "SIGSTOP")
    stopped.push(pid)
    expect(await status(admin.token)).toBe(200)
    await owner`update api_tokens set revoked_at = now() where token_id = ${admin.id}`
    await refusedSoon(admin.token)
  })

  it("comes back after its backend is terminated, and revocations reach it again", async () => {
    const before = await listenerPid()
    await owner`select pg_terminate_backend(${before})`
    const after = await eventually(async () => {
      const pid = await listenerPid()
      return pid !== before ? pid : undefined
    })
    expect(after).not.toBe(before)
    const admin = await token()
    expect(await status(admin.token)).toBe(200)
    await owner`update api_tokens set revoked_at = now() where token_id = ${admin.id}`
    await refusedSoon(admin.token)
  })
})
