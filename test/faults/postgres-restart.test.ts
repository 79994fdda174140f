// PostgreSQL crashes under load (`pg_ctl stop -m immediate`: every backend killed, recovery at the
// next start) and comes back on the same port. The service must stay up, answer /readyz 503 and
// webhooks 503 with Retry-After while the database is away (never a 202 for something not
// committed), be ready again within seconds of its return, and resume everything on its own: the
// worker (graphile-worker's pool dies under it and is replaced), projections, alert jobs and the
// ingest group commit, and the token revocation LISTEN connection (issue #14) comes back and carries
// revocations again. Every accepted webhook ends accounted for; an attempt the crash left without a
// known outcome is held (postbacks) or resent as a recorded resend (Meta, Google), never repeated
// otherwise: 0 duplicate postbacks.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { acceptedWhileDown, describeAudit, duplicates, expectRecovered } from "./support/outcomes.js"
import { type Rig, startRig, waitUntil } from "./support/rig.js"
import { UNTRACKED_FROM } from "./support/webhooks.js"

let rig: Rig
beforeAll(async () => {
  rig = await startRig()
})
afterAll(() => rig?.close())

const ORDERS = 40

/** An admin token made with the CLI, as an operator would: its id and the token. */
const createToken = async () => {
  const { stdout } = await promisify(execFile)("node", ["bin/s2s.js", "tokens", "create", "--scope", "admin"], {
    env: { ...process.env, DATABASE_URL: rig.pg.url, NODE_OPTIONS: "" },
    encoding: "utf8"
  })
  const lines = stdout.trim().split("\n")
  return { token: lines.at(-1)!, id: /created token (tok_[0-9a-f]+)/.exec(lines[0]!)![1]! }
}

const apiStatus = (token: string) =>
  fetch(`${rig.service.baseUrl}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)

/** The backend of the service's token revocation listener (LISTEN s2s_token_revoked), if connected. */
const listenerPid = async () => {
  const rows = await rig.pg.sql<Array<{ pid: number }>>`
    select pid from pg_stat_activity
    where application_name = 's2s-token-listener' and datname = current_database() and backend_type = 'client backend'`
  return rows[0]?.pid
}

describe("a PostgreSQL crash and restart under load", () => {
  it("keeps the process up, refuses webhooks with 503 + Retry-After while down, and recovers everything", async () => {
    // A token check starts the process's revocation listener.
    const admin = await createToken()
    expect(await apiStatus(admin.token)).toBe(200)
    await waitUntil("the token revocation listener connected", async () => (await listenerPid()) !== undefined, 10_000)
    const load = rig.webhooks.deliverAll(1, ORDERS, { concurrency: 4, deadline: Date.now() + 90_000 })
    await waitUntil("dispatches under way", () => rig.channels.requests.length >= 15, 30_000)

    await rig.pg.stop("immediate")
    const down = Date.now()
    const readyzDownMs = await waitUntil("/readyz 503", async () => (await rig.service.readyz()) === 503, 10_000)
    const refused = await rig.webhooks.post(UNTRACKED_FROM)
    expect(refused.status).toBe(503)
    expect(refused.retryAfter).toBe("5")
    expect(rig.service.alive()).toBe(true)

    await rig.pg.start()
    const up = Date.now()
    const readyMs = await waitUntil("/readyz 200 again", async () => (await rig.service.readyz()) === 200, 20_000)
    // The revocation listener reconnects on its own and LISTENs again; a revocation reaches the process.
    const listenerMs = await waitUntil(
      "the token revocation listener back",
      async () => (await listenerPid()) !== undefined,
      10_000
    )
    expect(await apiStatus(admin.token)).toBe(200)
    await rig.pg.sql`update api_tokens set revoked_at = now() where token_id = ${admin.id}`
    await waitUntil("the revoked token refused", async () => (await apiStatus(admin.token)) === 401, 5_000)

    // The platform retries what was refused, and a few more orders arrive, one without any tracking.
    await load
    await rig.webhooks.deliver(UNTRACKED_FROM, Date.now() + 30_000)
    await rig.webhooks.deliverAll(ORDERS + 1, 5, { concurrency: 2, deadline: Date.now() + 30_000 })
    expect(rig.webhooks.accepted()).toHaveLength(ORDERS + 6)
    // Never a 202 for something not committed: a 202 that reached the driver after the crash (its
    // answer was on its way, or the service slow to send it) must be for a webhook committed before
    // the crash; nothing can be committed while the server is stopped.
    const whileDown = await acceptedWhileDown(rig, down, up)
    expect(whileDown.committedBefore).toBe(whileDown.late)

    const { accounting, audit, settleMs } = await expectRecovered(rig, ORDERS + 5, 90_000)

    // Alert jobs resumed: the untracked order's missing-tracking alert reached Slack.
    await waitUntil("the missing-tracking alert posted to Slack", () => rig.channels.slack.length >= 1, 30_000)
    // Projections resumed: the conversions view has every accepted order.
    await waitUntil(
      "the conversions view caught up",
      async () => {
        const [row] = await rig.pg.sql<Array<{ n: number }>>`
          select count(*)::int as n from conversions c join projections p
            on p.name = 'conversions' and c.generation = p.active_generation
          where c.order_key like 'shop-faults:%'`
        return row?.n === ORDERS + 6
      },
      30_000
    )

    const dups = await duplicates(rig)
    expect(dups.afterRecordedSuccess).toEqual([])
    expect(rig.service.alive()).toBe(true)
    expect(rig.service.unexpected()).toEqual([])
    const restarts = rig.service.lines.filter((l) =>
      String(l.json?.message ?? "").includes("stopped on its own")
    ).length
    console.log(
      `postgres restart: /readyz 503 ${readyzDownMs} ms after the crash, 200 ${readyMs} ms after the server was back ` +
        `(token listener back ${listenerMs} ms later); ${whileDown.late} answers of 202 arrived after the crash (each for a webhook committed before it); ` +
        `${rig.webhooks.refusals().length} webhook answers were not 202 (all retried and accepted); all ${rig.webhooks.accepted().length} ` +
        `accepted webhooks accounted for ${settleMs} ms after the load ended (${JSON.stringify(accounting.fates)}); ` +
        `worker pools replaced: ${restarts}; ${describeAudit(audit)}`
    )
  })
})
