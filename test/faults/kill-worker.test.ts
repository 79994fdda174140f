// kill -9 of the service while dispatches are in flight (the postback partner is slow to answer, so
// requests are on the wire when the process dies), then a restart, as a container platform does after
// an OOM kill. graphile-worker would leave the dead pool's jobs locked for 4 hours; the restarted
// process finds the pool silent in the worker registry and releases its jobs (and dispatch leases),
// so everything completes. Every attempt the kill left without an outcome (its intent recorded, the
// request on the wire or answered but not recorded) is ambiguous: the postback partner's (onAmbiguous:
// hold, the default) are held with an alert and never sent twice; Meta and Google, which deduplicate on
// our key, get those again, as recorded resends. Nothing else is ever repeated.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { queueState } from "./support/accounting.js"
import {
  ambiguousNow,
  auditSends,
  describeAudit,
  duplicates,
  NO_SEND_PROBLEMS,
  sendProblems,
  settle
} from "./support/outcomes.js"
import { HARNESS_APP } from "./support/postgres.js"
import { type Rig, startRig, waitUntil } from "./support/rig.js"

// Short limits keep the suite quick; the defaults are WORKER_HEARTBEAT_MS=5000, WORKER_DEAD_AFTER_MS=30000.
const HEARTBEAT_MS = 1_000
const DEAD_AFTER_MS = 4_000
const ORDERS = 30

/** A Slack message's text, from the form body the Web API client posts. */
const slackText = (body: string) => (body.startsWith("{") ? body : [...new URLSearchParams(body).values()].join("\n"))

let rig: Rig
beforeAll(async () => {
  rig = await startRig({
    env: { WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS), WORKER_DEAD_AFTER_MS: String(DEAD_AFTER_MS) }
  })
})
afterAll(() => rig?.close())

describe("kill -9 of the service mid-dispatch, then a restart", () => {
  it("releases the dead worker's jobs and accounts for every accepted webhook: ambiguous postbacks held, never sent twice", async () => {
    rig.channels.reply("postback", () => "hang")
    const load = rig.webhooks.deliverAll(1, ORDERS, { concurrency: 4, deadline: Date.now() + 90_000 })
    await waitUntil("postbacks on the wire", () => rig.channels.unanswered().length >= 8, 30_000)
    const before = await queueState(rig.pg.sql)
    const [deadPool] = Object.keys(before.lockedBy)
    expect(deadPool).toBeDefined()

    await rig.service.kill("SIGKILL")
    const killedAt = Date.now()
    // A statement the killed process had sent still runs to its end (and commits: a batch's intents,
    // say); its connections are gone once PostgreSQL notices. What the kill left is read after that.
    await waitUntil(
      "the killed service's connections gone",
      async () =>
        (
          await rig.pg.sql<Array<{ n: number }>>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
              and backend_type = 'client backend' and application_name <> ${HARNESS_APP}`
        )[0]!.n === 0,
      10_000
    )
    const ambiguous = await ambiguousNow(rig)
    const inFlight = rig.channels.unanswered().length
    const locked = (await queueState(rig.pg.sql)).lockedBy[deadPool!] ?? 0
    expect(locked).toBeGreaterThan(0)
    // The attempts the kill left without an outcome, by channel (the hanging postbacks among them).
    const atKill = await auditSends(rig)
    expect(atKill.byChannel.postback.outcomeLost).toBeGreaterThan(0)
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
    // The release is logged after its commit, so the line may reach us a moment after the queue shows it.
    await waitUntil(
      "the release logged",
      () => rig.service.lines.some((l) => String(l.json?.message ?? "").includes(`worker pool ${deadPool} (`)),
      5_000
    )

    await load
    expect(rig.webhooks.accepted()).toHaveLength(ORDERS)
    const { accounting, ms: settleMs } = await settle(rig, 60_000)
    // Every postback the kill left without an outcome is held (with its alert), and so is every one
    // whose request timed out before it (held already, or failed without an answer: the batch behind
    // a hanging postback waits for its timeout); none other is. Meta and Google are resent, so every
    // other pair is dispatched.
    const postbacks = atKill.byChannel.postback
    const held = postbacks.outcomeLost + postbacks.noResponse + postbacks.held
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
    // The held alert reaches Slack (grouped per target: one message may name several orders).
    await waitUntil(
      "the held alert posted to Slack",
      () => rig.channels.slack.some((body) => slackText(body).includes("Conversion held")),
      30_000
    )

    // 0 duplicate postbacks; Meta and Google received an order again only as a recorded resend of an
    // attempt the kill left ambiguous, one resend per such attempt.
    const audit = await auditSends(rig)
    expect(sendProblems(audit)).toEqual(NO_SEND_PROBLEMS)
    expect(audit.byChannel.postback.held).toBe(held)
    expect(audit.byChannel.postback.resends).toBe(0)
    for (const channel of ["meta", "google"] as const) {
      expect(audit.byChannel[channel].resends, channel).toBe(atKill.byChannel[channel].outcomeLost)
      expect(audit.byChannel[channel].held, channel).toBe(0)
    }

    const dups = await duplicates(rig)
    expect(dups.afterRecordedSuccess).toEqual([])
    const repeated = [...dups.byChannel.meta, ...dups.byChannel.google, ...dups.byChannel.postback]
    expect(repeated.filter((key) => !ambiguous.has(key))).toEqual([])
    expect(rig.service.alive()).toBe(true)
    expect(rig.service.unexpected()).toEqual([])
    console.log(
      `kill -9: ${locked} jobs locked by the dead pool, ${inFlight} requests on the wire, ${ambiguous.size} sends received ` +
        `but not recorded; the restarted process was ready ${restartedAt - killedAt} ms after the kill and ` +
        `released the dead pool's jobs ${releasedMs} ms later (WORKER_DEAD_AFTER_MS=${DEAD_AFTER_MS}); all ${ORDERS} ` +
        `webhooks accounted for ${settleMs} ms after that (${JSON.stringify(accounting.fates)}); ${describeAudit(audit)}`
    )
  })
})
