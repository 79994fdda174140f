// bodies: 64 concurrent signed 1 MiB Shopify webhooks, three rounds, against one `serve` process
// (API + worker) routing them to Meta, Google and a postback served by fake destinations, with the
// service's RSS sampled every 100 ms until every accepted order is dispatched. Two shapes: a 1 MiB
// free-text note (the body is large, the order is not) and 7,000 line items (the order itself is
// huge). Webhooks answered 503 (the body budget was full for 4 s) are retried, as platforms do.
// Baseline: the service's own RSS once ready, before any load.
import { createHmac } from "node:crypto"
import { Agent, request } from "undici"
import { startRig, waitForDispatches } from "./flow.js"
import { SHOPIFY_SECRET, SOURCE_ID } from "./load.js"
import { type BenchDatabase, markLoad, note, record, rssPeak, sleep } from "./support.js"

const CONCURRENT = 64
const TARGET_BYTES = 1_000_000

const SEVEN_HOURS_MS = 7 * 60 * 60 * 1000

const order = (id: number, lineItems: number, note: string) =>
  JSON.stringify({
    id,
    name: `#${id}`,
    email: `customer${id}@example.de`,
    created_at: new Date(Date.now() - SEVEN_HOURS_MS).toISOString(),
    currency: "EUR",
    total_price: "63.26",
    financial_status: "paid",
    test: false,
    landing_site: `/p?gclid=Cj0KBodies${id}&awc=1001_1764065583_${id}`,
    note_attributes: [{ name: "_fbc", value: `fb.1.1764065583000.IwAR2Bodies${id}` }],
    note,
    line_items: Array.from({ length: lineItems }, (_, i) => ({
      id: i + 1,
      product_id: 8_123_456_789_011 + i,
      sku: `VIT-D3-${i}`,
      name: `Vitamin D3 1000 IU, pack ${i}`,
      quantity: 1,
      price: "1.00"
    }))
  })

/** A body of about 1 MiB: padded with a note, or with line items. */
const bigBody = (id: number, shape: "note" | "items") => {
  if (shape === "note") {
    const base = order(id, 2, "")
    return order(id, 2, "n".repeat(TARGET_BYTES - base.length))
  }
  // Item ids and SKUs grow by a digit past 1,000: measure an item there.
  const per = (order(id, 2_001, "").length - order(id, 1_001, "").length) / 1_000
  return order(id, Math.floor(TARGET_BYTES / per), "")
}

const post = (baseUrl: string, body: string, id: number, dispatcher: Agent) =>
  request(`${baseUrl}/webhooks/${SOURCE_ID}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": createHmac("sha256", SHOPIFY_SECRET).update(body).digest("base64"),
      "x-shopify-topic": "orders/paid",
      "x-shopify-webhook-id": `bench-bodies-${id}`
    },
    dispatcher
  }).then(
    async (r) => {
      await r.body.dump()
      return r.statusCode
    },
    () => 0
  )

export const bodiesBench = async (db: BenchDatabase) => {
  const shapes = (process.env.BENCH_BODIES_SHAPES ?? "note,items").split(",") as Array<"note" | "items">
  const ROUNDS = Number(process.env.BENCH_BODIES_ROUNDS ?? 3)
  for (const shape of shapes) {
    const rig = await startRig(db)
    try {
      const atReady = rig.service.rssMb() ?? Number.NaN
      const sampler = rssPeak(rig.service.pid)
      markLoad(`bodies, ${shape}`)
      const statuses: Record<string, number> = {}
      let next = 900_000_000 + (shape === "note" ? 0 : 10_000)
      const first = next
      for (let round = 0; round < ROUNDS; round++) {
        const dispatcher = new Agent({ keepAliveTimeout: 1_000 })
        await Promise.all(
          Array.from({ length: CONCURRENT }, async () => {
            const id = next++
            const body = bigBody(id, shape)
            for (let attempt = 0; attempt < 20; attempt++) {
              const status = await post(rig.service.baseUrl, body, id, dispatcher)
              statuses[status] = (statuses[status] ?? 0) + 1
              if (status === 202) return
              await sleep(1_000)
            }
          })
        )
        await dispatcher.close()
      }
      const ingestPeak = sampler.peak()
      const orders = next - first
      if ((statuses[202] ?? 0) !== orders)
        throw new Error(`${shape}: not every webhook was accepted: answers ${JSON.stringify(statuses)}`)
      await waitForDispatches(rig, orders * 3, orders * 3, 120_000)
      const peak = sampler.stop()
      record({ benchmark: "bodies", case: `${shape}: RSS at start (ready, idle)`, value: atReady, unit: "MB" })
      record({
        benchmark: "bodies",
        case: `${shape}: RSS peak, ${ROUNDS} x ${CONCURRENT} concurrent 1 MiB webhooks in`,
        value: ingestPeak,
        unit: "MB",
        baseline: atReady,
        ratio: ingestPeak / atReady,
        target: "< 256 MB"
      })
      record({
        benchmark: "bodies",
        case: `${shape}: RSS peak until all ${orders} orders dispatched`,
        value: peak,
        unit: "MB",
        baseline: atReady,
        ratio: peak / atReady,
        target: "< 256 MB"
      })
      note("bodies", `${shape}: answers ${JSON.stringify(statuses)} (503: the body budget was full; retried)`)
    } finally {
      await rig.close()
    }
  }
}
