// `s2s erase --email E`: finds every order whose customer has that email, the webhooks and attempts
// that carried it, and blanks the personal data in those events and in the conversions view, in one
// transaction under the guarded escape hatch of sql/0008_erasure.sql; records SubjectErased. Runs as
// the owner (migration) role: the app role cannot erase.
import { createHash, createHmac } from "node:crypto"
import type { Sql } from "../db/Db.js"
import { appendStreams } from "../events/store.js"
import { eraseEventData, eraseViewDoc } from "./redact.js"

export interface ErasurePlan {
  readonly subject: string
  /** The normalized address (kept in memory only, to scrub it from recorded requests). */
  readonly email: string
  readonly orderKeys: ReadonlyArray<string>
  readonly streams: ReadonlyArray<string>
}

export interface ErasureResult extends ErasurePlan {
  readonly events: number
  readonly projectionRows: number
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

const subjectOf = async (owner: Sql, email: string) => {
  const [row] = await owner<Array<{ pepper: Buffer }>>`select pepper from privacy_settings`
  return createHmac("sha256", row!.pepper).update(normalizeEmail(email)).digest("hex")
}

export const planErasure = async (owner: Sql, email: string): Promise<ErasurePlan> => {
  const normalized = normalizeEmail(email)
  const subject = await subjectOf(owner, email)
  const orders = await owner<Array<{ stream_id: string }>>`
    select distinct stream_id from events
    where type = 'OrderNormalized' and lower(data->'order'->'customer'->>'email') = ${normalized}`
  const orderKeys = orders.map((r) => r.stream_id.slice("order-".length))
  const linked =
    orderKeys.length === 0
      ? []
      : await owner<Array<{ stream_id: string }>>`
          select distinct stream_id from events
          where data ? 'orderKey' and stream_id not like 'order-%' and (data->>'orderKey') = any(${orderKeys}::text[])`
  // Webhooks that never became an order (failed or skipped) may carry the address in their raw body.
  const raw = await owner<Array<{ stream_id: string }>>`
    select distinct stream_id from events
    where type in ('WebhookReceived', 'WebhookRejected')
      and position(${normalized} in lower(data->'body'->>'text')) > 0`
  const streams = [
    ...new Set([...orders.map((r) => r.stream_id), ...linked.map((r) => r.stream_id), ...raw.map((r) => r.stream_id)])
  ]
  return { subject, email: normalized, orderKeys, streams: streams.sort() }
}

export const executeErasure = async (
  owner: Sql,
  plan: ErasurePlan,
  actor: string,
  reason?: string
): Promise<ErasureResult> =>
  owner.begin(async (tx) => {
    await tx`set local s2s.erasure = 'on'`
    const rows =
      plan.streams.length === 0
        ? []
        : await tx<Array<{ global_position: string; type: string; data: Record<string, unknown> }>>`
            select global_position, type, data from events where stream_id = any(${plan.streams as Array<string>}::text[])`
    // The address and its SHA-256 (what channels send) are scrubbed from recorded requests too.
    const needles = [plan.email, createHash("sha256").update(plan.email).digest("hex")]
    let events = 0
    for (const row of rows) {
      const erased = eraseEventData(row.type, row.data, needles)
      if (erased === undefined) continue
      await tx`update events set data = ${tx.json(erased as never)} where global_position = ${row.global_position}`
      events++
    }
    const views =
      plan.orderKeys.length === 0
        ? []
        : await tx<Array<{ generation: number; order_key: string; doc: Record<string, unknown> }>>`
            select generation, order_key, doc from conversions where order_key = any(${plan.orderKeys as Array<string>}::text[])`
    for (const v of views) {
      await tx`update conversions set doc = ${tx.json(eraseViewDoc(v.doc) as never)}
               where generation = ${v.generation} and order_key = ${v.order_key}`
    }
    await appendStreams(tx, [
      {
        streamId: `erasure-${plan.subject}`,
        expectedVersion: "any",
        events: [
          {
            type: "SubjectErased",
            data: {
              subject: plan.subject,
              orderKeys: plan.orderKeys,
              streams: plan.streams.length,
              events,
              projectionRows: views.length,
              actor,
              ...(reason ? { reason } : {})
            },
            metadata: { actor }
          }
        ]
      }
    ])
    return { ...plan, events, projectionRows: views.length }
  }) as Promise<ErasureResult>
