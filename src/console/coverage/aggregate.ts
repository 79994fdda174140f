// The coverage page from its query rows, pure: the funnel per company x market x partner x day, per
// day for the chart, and in total; landing pages reduced to host and path; match quality per target.
import { landingPageOf } from "../../alerts/alert.js"
import type { Target } from "../../events/configSchema.js"
import type { FunnelGroup, MatchRow } from "./query.js"
import type { Coverage, CoverageRow, Funnel, MatchQuality } from "./schema.js"
import { hasUsable } from "./usable.js"

const empty = (): { -readonly [K in keyof Funnel]: number } => ({
  paid: 0,
  withClickId: 0,
  eligible: 0,
  delivered: 0,
  acknowledged: 0
})

const add = (into: ReturnType<typeof empty>, g: FunnelGroup, usable: boolean) => {
  into.paid += g.n
  if (usable) into.withClickId += g.n
  if (g.eligible) into.eligible += g.n
  if (g.eligible && g.delivered) into.delivered += g.n
  if (g.acknowledged) into.acknowledged += g.n
}

/** Every UTC day from `from` up to (not including) `to`. */
export const daysBetween = (from: Date, to: Date): ReadonlyArray<string> => {
  const days: Array<string> = []
  for (
    let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    t < to.getTime();
    t += 86_400_000
  )
    days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

export const funnelOf = (
  groups: ReadonlyArray<FunnelGroup>,
  keyMap: Record<string, ReadonlyArray<string>>,
  range: { readonly from: Date; readonly to: Date }
): Pick<Coverage, "totals" | "days" | "rows"> => {
  const totals = empty()
  const byDay = new Map(daysBetween(range.from, range.to).map((d) => [d, empty()]))
  const rows = new Map<string, CoverageRow & ReturnType<typeof empty>>()
  for (const g of groups) {
    const usable = hasUsable(g.partner, g.click_keys, keyMap)
    add(totals, g, usable)
    const day = byDay.get(g.day) ?? empty()
    byDay.set(g.day, day)
    add(day, g, usable)
    const key = JSON.stringify([g.day, g.company, g.market, g.partner])
    const row = rows.get(key) ?? { day: g.day, company: g.company, market: g.market, partner: g.partner, ...empty() }
    rows.set(key, row)
    add(row, g, usable)
  }
  const order = (a: CoverageRow, b: CoverageRow) =>
    b.day.localeCompare(a.day) ||
    (a.company ?? "").localeCompare(b.company ?? "") ||
    (a.market ?? "").localeCompare(b.market ?? "") ||
    (a.partner ?? "").localeCompare(b.partner ?? "")
  return {
    totals,
    days: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, f]) => ({ day, ...f })),
    rows: [...rows.values()].sort(order)
  }
}

/** Landing URLs reduced to host and path (e-mails scrubbed), merged, most orders first. */
export const landingPages = (
  rows: ReadonlyArray<{ readonly partner: string; readonly url: string | null; readonly orders: number }>,
  limit = 20
) => {
  const merged = new Map<string, { partner: string; name: string | null; orders: number }>()
  for (const r of rows) {
    const name = landingPageOf(r.url ?? undefined)?.page ?? null
    const key = JSON.stringify([r.partner, name])
    const entry = merged.get(key) ?? { partner: r.partner, name, orders: 0 }
    entry.orders += r.orders
    merged.set(key, entry)
  }
  return [...merged.values()].sort((a, b) => b.orders - a.orders).slice(0, limit)
}

// A postback's click id is whatever {click_id} stands for in its template; the request does not name it.
const CLICK_ID_PLACEHOLDER = /\{\s*click_id\s*(\|[^}]*)?\}/

export const matchQuality = (
  rows: ReadonlyArray<MatchRow>,
  targets: ReadonlyMap<string, Target>
): ReadonlyArray<MatchQuality> =>
  rows.map((r) => {
    const target = targets.get(r.target_id)
    const postbackClickId =
      target?.channel === "postback" && CLICK_ID_PLACEHOLDER.test(`${target.url} ${target.body ?? ""}`)
    return {
      targetId: r.target_id,
      channel: r.channel,
      sent: r.sent,
      email: r.email,
      phone: r.phone,
      address: r.address,
      clickId: postbackClickId ? r.sent : r.click_id,
      ip: r.ip,
      userAgent: r.user_agent,
      consentGranted: r.granted,
      consentDenied: r.denied,
      consentUnknown: r.sent - r.granted - r.denied
    }
  })
