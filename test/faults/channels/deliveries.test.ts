// Platforms deliver at least once and in any order. Through the whole service, counted at the fake
// partners: ten concurrent deliveries of every webhook (Shopify's and Stripe's) send each conversion
// once per target; a billing platform's payment that arrives before the shop's order, or a shop's
// "paid" before its "created", sends it once, when the order is both known and paid, and never again.
import { beforeAll, describe, expect, it } from "vitest"
import { eventually } from "../../support/fakeServer.js"
import { type Behaviour, settled, startWorld, type World } from "./support/world.js"

const TARGETS = ["awin", "meta", "google"] as const
const ok = (): Behaviour => ({ status: 200 })

let w: World
const key = (id: number) => `shop-de:${id}`
const fakes = () => [w.postback, w.meta, w.google]

/** Requests about the order, per fake (postback, Meta, Google). */
const sent = (id: number) => fakes().map((f) => f.about(String(id)).length)

const webhookEvents = (type: string) =>
  w.sql<Array<{ n: number }>>`select count(*)::int as n from events where type = ${type}`.then((r) => r[0]!.n)

/** Waits until the live conversions view has applied every event recorded before the call. */
const conversionsCaughtUp = async () => {
  const [last] = await w.sql<Array<{ xid: string; position: string }>>`
    select transaction_id::text as xid, global_position::text as position from events
    order by transaction_id desc, global_position desc limit 1`
  await eventually(async () => {
    const rows = await w.sql<Array<{ ok: boolean }>>`
      select (c.last_xid, c.last_position) >= (${last!.xid}::xid8, ${last!.position}::bigint) as ok
      from projection_checkpoints c
      join projections p on p.name = c.name and p.active_generation = c.generation
      where c.name = 'conversions'`
    return rows[0]?.ok === true ? true : undefined
  })
}

beforeAll(async () => {
  w = await startWorld({ postback: ok, meta: ok, google: ok })
})

describe("ten deliveries of every webhook", () => {
  it("are all acknowledged, recorded as duplicates, and send each conversion once per target", async () => {
    const orders = [8101, 8102, 8103]
    const duplicatesBefore = await webhookEvents("WebhookDuplicateReceived")
    const answers = await Promise.all(
      orders.flatMap((id) => Array.from({ length: 10 }, () => w.deliver(id, `dup-${id}`)))
    )
    expect(answers).toEqual(Array(30).fill(202))
    for (const id of orders)
      expect(await settled(w, key(id), TARGETS)).toEqual({ awin: "succeeded", meta: "succeeded", google: "succeeded" })
    // And a Stripe payment for each, ten times over: recorded, nothing sent again.
    const payments = await Promise.all(
      orders.flatMap((id) => Array.from({ length: 10 }, () => w.deliverPayment(id, `evt_dup_${id}`)))
    )
    expect(payments).toEqual(Array(30).fill(202))
    await eventually(async () =>
      (await webhookEvents("WebhookDuplicateReceived")) === duplicatesBefore + 54 ? true : undefined
    )
    // Every payment webhook was normalized (once) before counting.
    await eventually(async () => {
      const rows = await w.sql<Array<{ n: number }>>`
        select count(*)::int as n from events e
        where e.type = 'WebhookNormalized' and e.data->>'orderKey' = any(${orders.map(key)}::text[])`
      return rows[0]!.n === 6 ? true : undefined
    })
    for (const id of orders) expect(sent(id)).toEqual([1, 1, 1])
  })
})

describe("a payment before its order", () => {
  it("sends nothing while the shop's order is unknown, then exactly once when it arrives", async () => {
    const id = 8201
    expect(await w.deliverPayment(id, `evt_first_${id}`)).toBe(202)
    await eventually(async () => ((await w.types(key(id))).includes("PaymentUpdated") ? true : undefined))
    // The payment alone (a billing snapshot, not the shop's order) is never dispatched.
    expect(await w.types(key(id))).not.toContain("DispatchPlanned")
    expect(sent(id)).toEqual([0, 0, 0])
    expect(await w.deliver(id, `create-${id}`, { pending: true })).toBe(202)
    expect(await settled(w, key(id), TARGETS)).toEqual({ awin: "succeeded", meta: "succeeded", google: "succeeded" })
    // The shop's own "paid" afterwards changes nothing that is sent.
    expect(await w.deliver(id, `paid-${id}`, { updatedAfterMin: 5 })).toBe(202)
    await eventually(async () => {
      const rows = await w.sql<Array<{ n: number }>>`
        select count(*)::int as n from events where type = 'WebhookNormalized' and data->>'orderKey' = ${key(id)}`
      return rows[0]!.n === 3 ? true : undefined
    })
    expect(sent(id)).toEqual([1, 1, 1])
    const view = await eventually(async () => {
      const rows = await w.sql`select status, dispatch_state from conversions where order_key = ${key(id)}`
      return rows[0]?.dispatch_state === "delivered" ? rows[0] : undefined
    })
    expect(view.status).toBe("paid")
  })

  it("a shop's 'paid' before its 'created' sends once, and the older snapshot does not make it pending", async () => {
    const id = 8202
    expect(await w.deliver(id, `paid-${id}`, { updatedAfterMin: 5 })).toBe(202)
    expect(await settled(w, key(id), TARGETS)).toEqual({ awin: "succeeded", meta: "succeeded", google: "succeeded" })
    expect(await w.deliver(id, `create-${id}`, { pending: true })).toBe(202)
    await eventually(async () => {
      const rows = await w.sql<Array<{ n: number }>>`
        select count(*)::int as n from events where type = 'WebhookNormalized' and data->>'orderKey' = ${key(id)}`
      return rows[0]!.n === 2 ? true : undefined
    })
    expect(sent(id)).toEqual([1, 1, 1])
    expect(await w.types(key(id))).not.toContain("DispatchRequested")
    // The conversions view is a projection, applied after the events are recorded: read it once it has
    // applied everything recorded so far (it once read no row yet here).
    await conversionsCaughtUp()
    const rows = await w.sql`select status from conversions where order_key = ${key(id)}`
    expect(rows[0]?.status).toBe("paid")
  })
})
