// kill -9 of the service while dispatches are in flight (the postback partner is slow to answer, so
// requests are on the wire when the process dies), then a restart, as a container platform does after
// an OOM kill. graphile-worker would leave the dead pool's jobs locked for 4 hours; the restarted
// process finds the pool silent in the worker registry and releases its jobs (and dispatch leases),
// so everything completes. Repeated sends may only be the ones the kill made ambiguous (on the wire,
// or answered but not recorded); sends recorded as successful are never repeated.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { queueState } from "./support/accounting.js"
import { ambiguousNow, duplicates, settle } from "./support/outcomes.js"
import { type Rig, startRig, waitUntil } from "./support/rig.js"

// Short limits keep the suite quick; the defaults are WORKER_HEARTBEAT_MS=5000, WORKER_DEAD_AFTER_MS=30000.
const HEARTBEAT_MS = 1_000
const DEAD_AFTER_MS = 4_000
const ORDERS = 30

let rig: Rig
beforeAll(async () => {
  rig = await startRig({
    env: { WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS), WORKER_DEAD_AFTER_MS: String(DEAD_AFTER_MS) }
  })
})
afterAll(() => rig?.close())

describe("kill -9 of the service mid-dispatch, then a restart", () => {
  it("releases the dead worker's jobs and completes every accepted webhook, repeating only ambiguous sends", async () => {
    rig.channels.reply("postback", () => "hang")
    const load = rig.webhooks.deliverAll(1, ORDERS, { concurrency: 4, deadline: Date.now() + 90_000 })
    await waitUntil("postbacks on the wire", () => rig.channels.unanswered().length >= 8, 30_000)
    const before = await queueState(rig.pg.sql)
    const [deadPool] = Object.keys(before.lockedBy)
    expect(deadPool).toBeDefined()

    await rig.service.kill("SIGKILL")
    const killedAt = Date.now()
    const ambiguous = await ambiguousNow(rig)
    const inFlight = rig.channels.unanswered().length
    const locked = (await queueState(rig.pg.sql)).lockedBy[deadPool!] ?? 0
    expect(locked).toBeGreaterThan(0)
    rig.channels.reply("postback", undefined)

    await rig.service.restart()
    const restartedAt = Date.now()
    const releasedMs = await waitUntil(
      "the dead pool's jobs released",
      async () => ((await queueState(rig.pg.sql)).lockedBy[deadPool!] ?? 0) === 0,
      30_000,
      async () =>
        `queue ${JSON.stringify(await queueState(rig.pg.sql))}; registry ${JSON.stringify(
          await rig.pg.sql`select id, extract(epoch from now() - heartbeat_at)::int as silent from workers`
        )}; service output:\n${rig.service.lines
          .slice(-30)
          .map((l) => l.text.slice(0, 300))
          .join("\n")}`
    )
    expect(rig.service.lines.some((l) => String(l.json?.message ?? "").includes(`worker pool ${deadPool} (`))).toBe(
      true
    )

    await load
    expect(rig.webhooks.accepted()).toHaveLength(ORDERS)
    const { accounting, ms: settleMs } = await settle(rig, 60_000)
    expect(accounting.fates).toEqual({
      dispatched: ORDERS * 3,
      skipped: 0,
      ignored: 0,
      dead_lettered: 0,
      normalization_failed: 0,
      pending: 0
    })
    expect(accounting.successesRecordedTwice).toBe(0)

    const dups = await duplicates(rig)
    expect(dups.afterRecordedSuccess).toEqual([])
    const repeated = [...dups.byChannel.meta, ...dups.byChannel.google, ...dups.byChannel.postback]
    expect(repeated.filter((key) => !ambiguous.has(key))).toEqual([])
    expect(rig.service.alive()).toBe(true)
    expect(rig.service.unexpected()).toEqual([])
    const ambiguousPostbacks = [...ambiguous].filter((k) => k.startsWith("postback|")).length
    console.log(
      `kill -9: ${locked} jobs locked by the dead pool, ${inFlight} requests on the wire, ${ambiguous.size} sends ambiguous ` +
        `(${ambiguousPostbacks} postbacks); the restarted process was ready ${restartedAt - killedAt} ms after the kill and ` +
        `released the dead pool's jobs ${releasedMs} ms later (WORKER_DEAD_AFTER_MS=${DEAD_AFTER_MS}); all ${ORDERS} ` +
        `webhooks accounted for ${settleMs} ms after that; repeated: ${JSON.stringify(dups.extraRequests)} ` +
        `(postback repeats ${dups.byChannel.postback.length} of ${ambiguousPostbacks} ambiguous)`
    )
  })
})
