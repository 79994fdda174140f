// PostgreSQL stops answering without closing anything (SIGSTOP to the server: what a network
// partition or a frozen VM looks like from the service: connections open, no answers). The service
// must not hang with it: /readyz answers 503 within its 3 s check, a webhook gets 503 + Retry-After
// before the HTTP server's 10 s timeout would cut it off unanswered, and once the server answers
// again everything resumes and every accepted webhook is accounted for.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auditSends, describeAudit, NO_SEND_PROBLEMS, sendProblems, settle } from "./support/outcomes.js"
import { type Rig, startRig, waitUntil } from "./support/rig.js"

let rig: Rig
beforeAll(async () => {
  rig = await startRig()
})
afterAll(() => rig?.close())

const ORDERS = 20

describe("PostgreSQL stalled (SIGSTOP) for several seconds", () => {
  it("answers 503 instead of hanging, and resumes when the server answers again", async () => {
    await rig.webhooks.deliverAll(1, ORDERS, { concurrency: 4, deadline: Date.now() + 30_000 })
    await rig.pg.pause()
    let resumed = false
    try {
      const readyzDownMs = await waitUntil("/readyz 503", async () => (await rig.service.readyz()) === 503, 15_000)
      const started = Date.now()
      const answer = await rig.webhooks.post(ORDERS + 1)
      const answeredMs = Date.now() - started
      expect(answer.status).toBe(503)
      expect(answer.retryAfter).toBe("5")
      expect(rig.service.alive()).toBe(true)
      await rig.pg.resume()
      resumed = true
      const readyMs = await waitUntil("/readyz 200 again", async () => (await rig.service.readyz()) === 200, 30_000)
      await rig.webhooks.deliver(ORDERS + 1, Date.now() + 30_000)
      const { accounting, ms: settleMs } = await settle(rig, 60_000)
      expect(accounting.fates).toMatchObject({ dispatched: (ORDERS + 1) * 3, pending: 0 })
      const audit = await auditSends(rig)
      expect(sendProblems(audit)).toEqual(NO_SEND_PROBLEMS)
      expect(rig.service.alive()).toBe(true)
      expect(rig.service.unexpected()).toEqual([])
      console.log(
        `postgres stall: /readyz 503 ${readyzDownMs} ms into the stall; a webhook answered 503 after ${answeredMs} ms; ` +
          `/readyz 200 ${readyMs} ms after the server resumed; all ${ORDERS + 1} webhooks accounted for ${settleMs} ms later; ` +
          describeAudit(audit)
      )
    } finally {
      if (!resumed) await rig.pg.resume()
    }
  })
})
