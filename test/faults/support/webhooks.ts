// A webhook driver playing Shopify: signed orders/paid webhooks (one distinct order and delivery per
// order id), each answer recorded. A delivery counts as accepted only on 202; anything else (a 503
// during an outage, a refused connection while the process is down) is retried like a platform
// retries, until accepted or the deadline passes. The record says which webhooks were accepted, so a
// scenario can account for every one of them, and which answers carried Retry-After.
import { createHmac } from "node:crypto"
import { deliberatePause } from "../../support/wait.js"

export const SOURCE_ID = "shop-faults"
export const SHOPIFY_SECRET = "shpss_faults_secret"

export interface Answer {
  readonly status: number
  readonly retryAfter: string | null
  readonly at: number
}

export interface DeliveryRecord {
  readonly orderId: number
  readonly answers: Array<Answer>
  accepted: boolean
}

const SEVEN_HOURS_MS = 7 * 60 * 60 * 1000

/**
 * A paid order with a gclid, an awc (affiliate click) and an _fbc cookie: routed to Google, Meta and
 * the postback. Created 7 h ago, so Google's 6 h click maturity does not hold it back. Order ids from
 * UNTRACKED_FROM up carry no click id at all: a missing-tracking alert for Slack.
 */
export const UNTRACKED_FROM = 900_000

export const orderBody = (id: number) => {
  const tracked = id < UNTRACKED_FROM
  const created = new Date(Date.now() - SEVEN_HOURS_MS)
  const clickMs = created.getTime() - 120_000
  return JSON.stringify({
    id,
    name: `#${id}`,
    email: `customer${id}@example.de`,
    created_at: created.toISOString(),
    processed_at: created.toISOString(),
    currency: "EUR",
    total_price: "63.26",
    financial_status: "paid",
    test: false,
    landing_site: tracked
      ? `/products/vitamin-d3?gclid=Cj0KFaults${id}&awc=1001_${Math.floor(clickMs / 1000)}_${id}&utm_source=google`
      : "/products/vitamin-d3",
    client_details: { browser_ip: "203.0.113.42", user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0" },
    note_attributes: tracked ? [{ name: "_fbc", value: `fb.1.${clickMs}.IwAR2Faults${id}` }] : [],
    billing_address: { city: "Berlin", zip: "10115", country_code: "DE", phone: "+49 151 23456789" },
    line_items: [
      { id: 1, product_id: 8_123_456_789_011, sku: "VIT-D3-1000", name: "Vitamin D3", quantity: 2, price: "31.63" }
    ]
  })
}

export const signedOrder = (id: number) => {
  const body = orderBody(id)
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": createHmac("sha256", SHOPIFY_SECRET).update(body).digest("base64"),
      "x-shopify-topic": "orders/paid",
      "x-shopify-webhook-id": `faults-delivery-${id}`,
      "x-shopify-shop-domain": "faults.myshopify.com",
      "x-shopify-api-version": "2025-07"
    }
  }
}

export interface WebhookDriver {
  readonly records: ReadonlyMap<number, DeliveryRecord>
  /** Posts one order once; the answer is recorded (status 0: no HTTP answer). */
  readonly post: (orderId: number) => Promise<Answer>
  /** Posts until accepted (202) or `deadline` (epoch ms) passes; 5xx and refused connections are retried. */
  readonly deliver: (orderId: number, deadline: number) => Promise<DeliveryRecord>
  /** Posts orders [from, from + count) with `concurrency` clients, each retried until accepted. */
  readonly deliverAll: (
    from: number,
    count: number,
    options: { concurrency: number; deadline: number }
  ) => Promise<void>
  readonly accepted: () => ReadonlyArray<number>
  /** Every non-202 answer, with its status and Retry-After header. */
  readonly refusals: () => ReadonlyArray<Answer & { readonly orderId: number }>
}

export const webhookDriver = (baseUrl: string): WebhookDriver => {
  const records = new Map<number, DeliveryRecord>()
  const recordOf = (orderId: number) => {
    let r = records.get(orderId)
    if (r === undefined) {
      r = { orderId, answers: [], accepted: false }
      records.set(orderId, r)
    }
    return r
  }
  const post = async (orderId: number): Promise<Answer> => {
    const { body, headers } = signedOrder(orderId)
    const answer = await fetch(`${baseUrl}/webhooks/${SOURCE_ID}`, {
      method: "POST",
      body,
      headers,
      signal: AbortSignal.timeout(10_000)
    }).then(
      async (res) => {
        await res.arrayBuffer()
        return { status: res.status, retryAfter: res.headers.get("retry-after"), at: Date.now() }
      },
      () => ({ status: 0, retryAfter: null, at: Date.now() })
    )
    const record = recordOf(orderId)
    record.answers.push(answer)
    if (answer.status === 202) record.accepted = true
    return answer
  }
  const deliver = async (orderId: number, deadline: number) => {
    for (let attempt = 0; ; attempt++) {
      const answer = await post(orderId)
      if (answer.status === 202) return recordOf(orderId)
      if (answer.status !== 0 && answer.status < 500)
        throw new Error(`order ${orderId}: refused with ${answer.status}, which no retry can fix`)
      if (Date.now() > deadline) return recordOf(orderId)
      // A platform backs off; a short, capped backoff keeps the suite quick.
      await deliberatePause(Math.min(1_000, 100 * 2 ** attempt), "pacing")
    }
  }
  return {
    records,
    post,
    deliver,
    deliverAll: async (from, count, { concurrency, deadline }) => {
      let next = from
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < from + count) await deliver(next++, deadline)
        })
      )
    },
    accepted: () => [...records.values()].filter((r) => r.accepted).map((r) => r.orderId),
    refusals: () =>
      [...records.values()].flatMap((r) =>
        r.answers.filter((a) => a.status !== 202).map((a) => ({ ...a, orderId: r.orderId }))
      )
  }
}
