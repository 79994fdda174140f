// `s2s erase --email E [--phone P]`: finds every order whose customer has that email, the webhooks
// and attempts that carried it, and blanks the personal data in those events and in the conversions
// view; then removes every remaining form of the subject's email and phone numbers (URL-encoded in
// landing URLs, written in order notes and note attributes, digests in recorded requests) from every
// table (scrub.ts); all in one transaction under the guarded escape hatch of sql/0002_privacy.sql,
// and records SubjectErased. Runs as the owner (migration) role: the app role cannot erase.
import { createHmac } from "node:crypto"
import type { Sql } from "../db/Db.js"
import { appendInTransaction } from "../events/EventStore.js"
import {
  bodiesMatching,
  deliveredBodies,
  ordersOfEmail,
  rewriteForErasure,
  streamsNamingOrders
} from "../events/queries/privacy.js"
import { erasureStream } from "../events/streams.js"
import { mentions, normalizeEmail, phoneE164, type SubjectNeedles, subjectNeedles } from "./needles.js"
import { eraseEventData, eraseViewDoc } from "./redact.js"
import { type ScrubCounts, scrubDatabase } from "./scrub.js"

export { normalizeEmail } from "./needles.js"

export interface ErasurePlan {
  readonly subject: string
  /** The normalized address (kept in memory only, to find and scrub it). */
  readonly email: string
  /** The subject's phone numbers (E.164): given, and found in the subject's orders. In memory only. */
  readonly phones: ReadonlyArray<string>
  readonly orderKeys: ReadonlyArray<string>
  readonly streams: ReadonlyArray<string>
}

export interface ErasureResult extends ErasurePlan {
  readonly events: number
  readonly projectionRows: number
  /** Rows where a remaining form of the email or a phone number was scrubbed, per table. */
  readonly scrubbed: ScrubCounts
}

const subjectOf = async (owner: Sql, email: string) => {
  const [row] = await owner<Array<{ pepper: Buffer }>>`select pepper from privacy_settings`
  return createHmac("sha256", row!.pepper).update(normalizeEmail(email)).digest("hex")
}

const PHONE_KEY = /phone|mobile|tel(ephone)?$|fax/i

/** Every string under a phone-like key in a parsed raw body (billing, shipping, customer, notes). */
const phoneValues = (value: unknown, key = ""): Array<string> => {
  if (typeof value === "string" || typeof value === "number")
    return PHONE_KEY.test(key) && String(value).trim() !== "" ? [String(value)] : []
  if (Array.isArray(value)) return value.flatMap((v) => phoneValues(v, key))
  if (value === null || typeof value !== "object") return []
  const entry = value as Record<string, unknown>
  // Key/value entries (note attributes, meta_data): the entry's name says what its value is.
  const label = typeof entry.name === "string" ? entry.name : typeof entry.key === "string" ? entry.key : undefined
  return Object.entries(entry).flatMap(([k, v]) => phoneValues(v, k === "value" && label ? label : k))
}

const rawText = (body: unknown): string | undefined => {
  const b = body as { encoding?: string; text?: string } | undefined
  if (typeof b?.text !== "string") return undefined
  return b.encoding === "base64" ? Buffer.from(b.text, "base64").toString("latin1") : b.text
}

export const planErasure = async (
  owner: Sql,
  email: string,
  givenPhones: ReadonlyArray<string> = []
): Promise<ErasurePlan> => {
  const normalized = normalizeEmail(email)
  const subject = await subjectOf(owner, email)
  const orders = await ordersOfEmail(owner, normalized)
  const orderKeys = [...new Set(orders.map((r) => r.orderKey))].sort()
  const markets = [...new Set(orders.flatMap((o) => (o.market === null ? [] : [o.market])))]
  const linked = await streamsNamingOrders(owner, orderKeys)
  // The subject's own webhooks (those normalized into the subject's orders) name their phone
  // numbers (billing, shipping, note attributes); the canonical order keeps only one.
  const bodies = await deliveredBodies(owner, linked)
  const written = [
    ...givenPhones,
    ...orders.flatMap((o) => (o.phone === null ? [] : [o.phone])),
    ...bodies.flatMap((b) => {
      const text = rawText(b)
      if (text === undefined) return []
      try {
        return phoneValues(JSON.parse(text))
      } catch {
        return []
      }
    })
  ]
  const phones = [
    ...new Set(
      written.flatMap((p) => {
        const valid = [undefined, ...markets].map((m) => phoneE164(p, m)).find((e) => e !== undefined)
        return valid === undefined ? [] : [valid]
      })
    )
  ]
  const needles = subjectNeedles(normalized, phones)
  // Webhooks that never became an order (failed, skipped, refused as unparseable) may carry the
  // address or a phone number in their raw body, in any encoding: their whole body is erased.
  const candidates = await bodiesMatching(owner, needles.sqlFilters)
  const raw = candidates.filter((c) => {
    const text = rawText(c.body)
    return text !== undefined && mentions(text, needles)
  })
  const streams = [...new Set([...orders.map((r) => r.streamId), ...linked, ...raw.map((r) => r.streamId)])]
  return { subject, email: normalized, phones, orderKeys, streams: streams.sort() }
}

export const needlesOf = (plan: ErasurePlan): SubjectNeedles => subjectNeedles(plan.email, plan.phones)

export const executeErasure = async (
  owner: Sql,
  plan: ErasurePlan,
  actor: string,
  reason?: string
): Promise<ErasureResult> =>
  owner.begin(async (tx) => {
    await tx`set local s2s.erasure = 'on'`
    const events = await rewriteForErasure(tx, plan.streams, eraseEventData)
    const needles = needlesOf(plan)
    const views =
      plan.orderKeys.length === 0
        ? []
        : await tx<Array<{ generation: number; order_key: string; doc: Record<string, unknown> }>>`
            select generation, order_key, doc from conversions where order_key = any(${plan.orderKeys as Array<string>}::text[])`
    for (const v of views) {
      await tx`update conversions set doc = ${tx.json(eraseViewDoc(v.doc) as never)}
               where generation = ${v.generation} and order_key = ${v.order_key}`
    }
    // Whatever is left, anywhere: landing URLs, notes, attributes, recorded requests and responses,
    // alerts, grouping state, job payloads; the subject's streams and everyone else's.
    const scrubbed = await scrubDatabase(tx, needles)
    await appendInTransaction(
      tx,
      [
        {
          streamId: erasureStream(plan.subject),
          expectedVersion: "any",
          events: [
            {
              _tag: "SubjectErased",
              subject: plan.subject,
              orderKeys: plan.orderKeys,
              streams: plan.streams.length,
              events,
              projectionRows: views.length,
              scrubbedRows: Object.values(scrubbed).reduce((n, c) => n + c, 0),
              actor,
              ...(reason ? { reason } : {})
            }
          ]
        }
      ],
      { metadata: { actor } }
    )
    return { ...plan, events, projectionRows: views.length, scrubbed }
  }) as Promise<ErasureResult>
