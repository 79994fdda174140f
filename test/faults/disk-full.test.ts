// The database's disk fills up under load (research F11: pg_wal on a volume of its own that runs
// out of space). PostgreSQL PANICs at the first WAL segment it cannot create, its crash recovery
// cannot write either, and the server shuts down; it starts again only once space is freed. The
// service must behave as in any outage: stay up, answer /readyz and webhooks 503 with Retry-After
// while the database is away, never answer 202 for a webhook that was not committed (the commit the
// PANIC cut short is lost, not acknowledged), and, once the operator has freed space and started the
// server, resume on its own with every accepted webhook accounted for and no postback sent twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { acceptedWhileDown, describeAudit, duplicates, expectRecovered } from "./support/outcomes.js"
import type { WalDisk } from "./support/postgres.js"
import { type Rig, startRig, waitUntil } from "./support/rig.js"
import { UNTRACKED_FROM } from "./support/webhooks.js"

let rig: Rig
let disk: WalDisk
beforeAll(async () => {
  // 64 MiB: the WAL of the migrations and the load stays far below it (checkpoints every 16 MiB).
  rig = await startRig({ pg: { walDiskMb: 64 } })
  disk = rig.pg.walDisk!
})
afterAll(() => rig?.close())

const ORDERS = 40

describe("the database's disk full under load", () => {
  it("refuses webhooks with 503 while the server is down, and recovers everything once space is freed", async () => {
    const load = rig.webhooks.deliverAll(1, ORDERS, { concurrency: 4, deadline: Date.now() + 120_000 })
    await waitUntil("dispatches under way", () => rig.channels.requests.length >= 15, 30_000)

    const filled = await disk.fill()
    const serverLog = await disk.exhaust()
    // The fault is the one intended: a PANIC on a full disk, then a recovery that could not write.
    const panic = serverLog.find((l) => /PANIC: .*No space left on device/.test(l))
    expect(panic, serverLog.join("\n")).toBeDefined()
    // From the PANIC on, nothing can commit (the server's log and this process share the clock).
    const down = Date.parse(`${panic!.slice(0, 23).replace(" ", "T")}Z`)
    expect(Number.isNaN(down), panic).toBe(false)
    expect(
      serverLog.some((l) => /shutting down due to startup process failure/.test(l)),
      serverLog.join("\n")
    ).toBe(true)
    const readyzDownMs = await waitUntil("/readyz 503", async () => (await rig.service.readyz()) === 503, 10_000)
    const refused = await rig.webhooks.post(UNTRACKED_FROM)
    expect(refused.status).toBe(503)
    expect(refused.retryAfter).toBe("5")
    expect(rig.service.alive()).toBe(true)
    // More orders arrive while the server is down: refused, and retried by the platform.
    const during = rig.webhooks.deliverAll(ORDERS + 1, 5, { concurrency: 2, deadline: Date.now() + 90_000 })
    await waitUntil("webhooks refused while the server is down", () => rig.webhooks.refusals().length >= 6, 30_000)
    expect(rig.webhooks.refusals().every((r) => r.status === 503 && r.retryAfter === "5")).toBe(true)

    // The operator frees space and starts the server; recovery replays the WAL up to the PANIC.
    await disk.free()
    await rig.pg.start()
    const up = Date.now()
    const readyMs = await waitUntil("/readyz 200 again", async () => (await rig.service.readyz()) === 200, 30_000)

    await load
    await during
    await rig.webhooks.deliver(UNTRACKED_FROM, Date.now() + 30_000)
    expect(rig.webhooks.accepted()).toHaveLength(ORDERS + 6)
    // Never a 202 for something not committed: a 202 answered while the server was down must be for
    // a webhook committed before the PANIC (its answer was on its way).
    const whileDown = await acceptedWhileDown(rig, down, up)
    expect(whileDown.committedBefore).toBe(whileDown.late)

    // Every webhook answered 202 is in the log and reaches its targets: nothing acknowledged was lost.
    const { accounting, audit, settleMs } = await expectRecovered(rig, ORDERS + 5, 120_000)
    await waitUntil("the missing-tracking alert posted to Slack", () => rig.channels.slack.length >= 1, 30_000)
    const dups = await duplicates(rig)
    expect(dups.afterRecordedSuccess).toEqual([])
    expect(rig.service.alive()).toBe(true)
    expect(rig.service.unexpected()).toEqual([])
    console.log(
      `disk full: ${Math.round(filled / 1024 / 1024)} MiB of filler; the server PANICked and shut down; ` +
        `/readyz 503 ${readyzDownMs} ms after it was down, 200 ${readyMs} ms after it was started again; ` +
        `${whileDown.late} answers of 202 arrived while it was down (each for a webhook committed before); ` +
        `${rig.webhooks.refusals().length} webhook answers were not 202 (all retried and accepted); all ` +
        `${rig.webhooks.accepted().length} accepted webhooks accounted for ${settleMs} ms after the load ended ` +
        `(${JSON.stringify(accounting.fates)}); ${describeAudit(audit)}`
    )
  })
})
