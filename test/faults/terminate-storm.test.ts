// A pg_terminate_backend storm: every few hundred milliseconds, every connection the service holds
// (its app pool, graphile-worker's pool and its LISTEN connection) is terminated, while webhooks
// arrive and dispatches run, as a failover or a proxy dropping sockets would do. The process must
// never crash (postgres.js 3's null-socket write and graphile-worker's unhandled return of its local
// queue did, within a second), must keep answering, and must account for every accepted webhook, with
// 0 duplicate postbacks (an attempt whose outcome the storm destroyed is held with an alert) and Meta
// and Google sent again only as recorded resends of such attempts.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { deliberatePause } from "../support/wait.js"
import { queueState } from "./support/accounting.js"
import { auditSends, describeAudit, duplicates, NO_SEND_PROBLEMS, sendProblems, settle } from "./support/outcomes.js"
import { type Rig, startRig, waitUntil } from "./support/rig.js"

let rig: Rig
beforeAll(async () => {
  rig = await startRig()
})
afterAll(() => rig?.close())

const ORDERS = 60

describe("a pg_terminate_backend storm during ingest and dispatch", () => {
  it("never takes the process down, and every accepted webhook ends accounted for", async () => {
    // Rounds every 300 ms while the webhooks arrive and for at least 6 s, so dispatches run into it too.
    let terminated = 0
    let rounds = 0
    let ingesting = true
    const until = Date.now() + 6_000
    const storm = (async () => {
      while (ingesting || Date.now() < until) {
        terminated += await rig.pg.terminateBackends()
        rounds++
        await deliberatePause(300, "pacing")
      }
    })()
    try {
      await rig.webhooks.deliverAll(1, ORDERS, { concurrency: 6, deadline: Date.now() + 60_000 })
    } finally {
      ingesting = false
      await storm
    }
    expect(rig.service.alive(), rig.service.unexpected().join("\n")).toBe(true)
    expect(rig.webhooks.accepted()).toHaveLength(ORDERS)

    const readyMs = await waitUntil(
      "/readyz 200 after the storm",
      async () => (await rig.service.readyz()) === 200,
      20_000
    )
    // Within the test's own timeout, so a stall says what is pending, what the queue holds and what the
    // service logged last.
    const { accounting, ms: settleMs } = await settle(rig, 80_000).catch(async (error: unknown) => {
      const queue = JSON.stringify(await queueState(rig.pg.sql).catch(() => "unreadable"))
      const tail = rig.service.lines.slice(-40).map((l) => l.text)
      throw new Error(`${String(error)}\nqueue: ${queue}\nservice's last lines:\n${tail.join("\n")}`)
    })
    const held = accounting.fates.held
    expect(accounting.fates).toEqual({
      dispatched: ORDERS * 3 - held,
      skipped: 0,
      ignored: 0,
      held,
      dead_lettered: 0,
      normalization_failed: 0,
      pending: 0
    })
    expect(accounting.held.every((pair) => pair.endsWith("|awin-faults"))).toBe(true)
    expect(accounting.heldWithoutAlert).toEqual([])
    expect(accounting.successesRecordedTwice).toBe(0)
    const audit = await auditSends(rig)
    expect(sendProblems(audit)).toEqual(NO_SEND_PROBLEMS)
    expect(audit.byChannel.postback.held).toBe(held)
    const dups = await duplicates(rig)
    expect(dups.afterRecordedSuccess).toEqual([])
    expect(rig.service.alive(), rig.service.unexpected().join("\n")).toBe(true)
    expect(rig.service.unexpected()).toEqual([])
    const restarts = rig.service.lines.filter((l) =>
      String(l.json?.message ?? "").includes("stopped on its own")
    ).length
    console.log(
      `terminate storm: ${terminated} backends terminated in ${rounds} rounds; ${rig.webhooks.refusals().length} webhook answers ` +
        `were not 202 (retried and accepted); /readyz 200 ${readyMs} ms after the storm; all ${ORDERS} webhooks accounted for ` +
        `${settleMs} ms later (${JSON.stringify(accounting.fates)}); worker pools replaced: ${restarts}; ${describeAudit(audit)}`
    )
  })
})
