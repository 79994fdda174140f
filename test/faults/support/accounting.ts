// Accounting for every accepted webhook, read from the event log: each (order, target) it should
// reach ends dispatched, skipped or ignored with a reason, held with an alert (an attempt whose
// outcome a fault destroyed, to a postback target that cannot take a resend) or dead-lettered with an
// alert; anything else is still pending (or lost). Also the queue's state (jobs waiting, locked, by whom) for
// liveness checks.
import type postgres from "postgres"
import { webhookIdFor } from "../../../src/ingest/Ingest.js"
import { SOURCE_ID } from "./webhooks.js"

export type Fate = "dispatched" | "skipped" | "ignored" | "held" | "dead_lettered" | "normalization_failed" | "pending"

export interface Accounting {
  /** (order, target) pairs by fate; an ignored order or a failed normalization counts once per target. */
  readonly fates: Record<Fate, number>
  /** `order|target` of the pairs still pending. */
  readonly pending: ReadonlyArray<string>
  /** Dead letters without an AlertRaised naming their order and target. */
  readonly deadLettersWithoutAlert: ReadonlyArray<string>
  /** `order|target` of the held pairs. */
  readonly held: ReadonlyArray<string>
  /** Held pairs without a dispatch_held AlertRaised naming their order and target. */
  readonly heldWithoutAlert: ReadonlyArray<string>
  /** DispatchSucceeded events per (order, target) beyond the first: a success recorded twice. */
  readonly successesRecordedTwice: number
}

export const orderKeyOf = (orderId: number) => `${SOURCE_ID}:${orderId}`
/** The webhook id the service derives from the delivery's X-Shopify-Webhook-Id (see webhooks.ts). */
export const webhookIdOf = (orderId: number) => webhookIdFor(SOURCE_ID, `webhook:faults-delivery-${orderId}`)

export const account = async (
  sql: postgres.Sql,
  orderIds: ReadonlyArray<number>,
  targets: ReadonlyArray<string>
): Promise<Accounting> => {
  const keys = orderIds.map(orderKeyOf)
  const streams = keys.map((k) => `order-${k}`)
  const rows = await sql<Array<{ type: string; order_key: string | null; target_id: string | null; n: number }>>`
    select type, data->>'orderKey' as order_key, data->>'targetId' as target_id, count(*)::int as n
    from events
    where stream_id = any(${streams}::text[])
      and type in ('DispatchSucceeded', 'DispatchSkipped', 'DispatchHeld', 'DispatchDeadLettered', 'OrderIgnored')
    group by 1, 2, 3`
  const failed = await sql<Array<{ webhook_id: string }>>`
    select data->>'webhookId' as webhook_id from events
    where type = 'NormalizationFailed' and data->>'webhookId' = any(${orderIds.map(webhookIdOf)}::text[])`
  const failedWebhooks = new Set(failed.map((f) => f.webhook_id))
  const alerts = await sql<Array<{ problem: string; order_key: string; target_id: string }>>`
    select data->>'problem' as problem, data->>'orderKey' as order_key, data->>'targetId' as target_id from events
    where type = 'AlertRaised' and data->>'problem' in ('dead_letter', 'dispatch_held')`
  const alerted = new Set(alerts.map((a) => `${a.problem}|${a.order_key}|${a.target_id}`))
  const outcome = new Map<string, Fate>()
  const ignored = new Set<string>()
  let successesRecordedTwice = 0
  for (const r of rows) {
    if (r.type === "OrderIgnored") {
      ignored.add(r.order_key ?? "")
      continue
    }
    const pair = `${r.order_key}|${r.target_id}`
    if (r.type === "DispatchSucceeded") {
      outcome.set(pair, "dispatched")
      successesRecordedTwice += r.n - 1
    } else if (r.type === "DispatchDeadLettered" && outcome.get(pair) !== "dispatched")
      outcome.set(pair, "dead_lettered")
    // Held until an operator decides; a success recorded later (the held attempt's own late outcome,
    // or an operator's send) wins.
    else if (r.type === "DispatchHeld" && outcome.get(pair) !== "dispatched") outcome.set(pair, "held")
    else if (r.type === "DispatchSkipped" && !outcome.has(pair)) outcome.set(pair, "skipped")
  }
  const fates: Record<Fate, number> = {
    dispatched: 0,
    skipped: 0,
    ignored: 0,
    held: 0,
    dead_lettered: 0,
    normalization_failed: 0,
    pending: 0
  }
  const pending: Array<string> = []
  const deadLettersWithoutAlert: Array<string> = []
  const held: Array<string> = []
  const heldWithoutAlert: Array<string> = []
  orderIds.forEach((orderId, i) => {
    const key = keys[i]!
    for (const target of targets) {
      const pair = `${key}|${target}`
      const fate: Fate = ignored.has(key)
        ? "ignored"
        : (outcome.get(pair) ?? (failedWebhooks.has(webhookIdOf(orderId)) ? "normalization_failed" : "pending"))
      fates[fate]++
      if (fate === "pending") pending.push(pair)
      if (fate === "dead_lettered" && !alerted.has(`dead_letter|${pair}`)) deadLettersWithoutAlert.push(pair)
      if (fate === "held") held.push(pair)
      if (fate === "held" && !alerted.has(`dispatch_held|${pair}`)) heldWithoutAlert.push(pair)
    }
  })
  return { fates, pending, deadLettersWithoutAlert, held, heldWithoutAlert, successesRecordedTwice }
}

export interface QueueState {
  /** Jobs in the queue (waiting, running or failed-and-retrying). */
  readonly jobs: number
  /** Jobs locked by a worker pool. */
  readonly locked: number
  /** Locked jobs per pool id. */
  readonly lockedBy: Readonly<Record<string, number>>
}

/** graphile-worker's queue, read with the owner's login (its tables have row-level security). */
export const queueState = async (sql: postgres.Sql): Promise<QueueState> => {
  const rows = await sql<Array<{ locked_by: string | null; n: number }>>`
    select locked_by, count(*)::int as n from graphile_worker._private_jobs group by 1`
  const lockedBy: Record<string, number> = {}
  let jobs = 0
  let locked = 0
  for (const r of rows) {
    jobs += r.n
    if (r.locked_by !== null) {
      locked += r.n
      lockedBy[r.locked_by] = r.n
    }
  }
  return { jobs, locked, lockedBy }
}
