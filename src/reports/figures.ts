// Outcome figures, pure: per group of orders (by company, market, partner and/or target), how many
// were placed, paid, eligible (paid, not ignored: what s2s routes), delivered (accepted by at least
// one target: sent, known to the destination already, or imported at cutover), acknowledged
// (accepted by every target they were routed to), failed (a conversion rejected for good or dead-
// lettered), held (an attempt whose outcome was lost, waiting for an operator), and the delivery
// share (delivered / eligible). Test orders are left out. Grouped by target, an order counts once under
// each target it was routed to (and under "-" when routed nowhere), with that target's dispatch only.

export const DIMENSIONS = ["company", "market", "partner", "target"] as const
export type Dimension = (typeof DIMENSIONS)[number]

export interface ReportOrder {
  readonly company: string | null
  readonly market: string | null
  readonly partner: string | null
  readonly paid: boolean
  readonly eligible: boolean
  /** The order's conversion dispatches: target and status (planned, retrying, succeeded, held, ...). */
  readonly conversions: ReadonlyArray<{ readonly targetId: string; readonly status: string }>
}

export interface Figures {
  readonly orders: number
  readonly paid: number
  readonly eligible: number
  readonly delivered: number
  readonly acknowledged: number
  readonly failed: number
  readonly held: number
  /** delivered / eligible, 0..1; null without eligible orders. */
  readonly deliveryShare: number | null
}

export interface ReportRow extends Figures {
  readonly group: Readonly<Partial<Record<Dimension, string>>>
}

const zero = { orders: 0, paid: 0, eligible: 0, delivered: 0, acknowledged: 0, failed: 0, held: 0 }

const FAILED = new Set(["failed", "dead_lettered"])

const add = (f: Omit<Figures, "deliveryShare">, order: ReportOrder, conversions: ReportOrder["conversions"]) => {
  const eligible = order.paid && order.eligible
  const accepted = conversions.filter((c) => c.status === "succeeded").length
  return {
    orders: f.orders + 1,
    paid: f.paid + (order.paid ? 1 : 0),
    eligible: f.eligible + (eligible ? 1 : 0),
    delivered: f.delivered + (eligible && accepted > 0 ? 1 : 0),
    acknowledged: f.acknowledged + (eligible && conversions.length > 0 && accepted === conversions.length ? 1 : 0),
    failed: f.failed + (eligible && conversions.some((c) => FAILED.has(c.status)) ? 1 : 0),
    // "held" is the dispatch state of an attempt whose outcome was lost (postback onAmbiguous: hold).
    held: f.held + (eligible && conversions.some((c) => c.status === "held") ? 1 : 0)
  }
}

const withShare = (f: Omit<Figures, "deliveryShare">): Figures => ({
  ...f,
  deliveryShare: f.eligible === 0 ? null : f.delivered / f.eligible
})

/** One row per group, in the order of `by` (groups sorted by their values), and the totals. */
export const aggregate = (
  orders: Iterable<ReportOrder>,
  by: ReadonlyArray<Dimension>
): { readonly rows: ReadonlyArray<ReportRow>; readonly totals: Figures } => {
  const groups = new Map<
    string,
    { group: Partial<Record<Dimension, string>>; figures: Omit<Figures, "deliveryShare"> }
  >()
  let totals: Omit<Figures, "deliveryShare"> = zero
  for (const order of orders) {
    totals = add(totals, order, order.conversions)
    const byTarget = by.includes("target")
    const slices = byTarget
      ? order.conversions.length === 0
        ? [{ target: "-", conversions: [] }]
        : [...new Set(order.conversions.map((c) => c.targetId))].map((target) => ({
            target,
            conversions: order.conversions.filter((c) => c.targetId === target)
          }))
      : [{ target: undefined, conversions: order.conversions }]
    for (const slice of slices) {
      const group: Partial<Record<Dimension, string>> = {}
      for (const d of by)
        group[d] =
          d === "target" ? (slice.target ?? "-") : ((order as unknown as Record<string, string | null>)[d] ?? "-")
      const key = JSON.stringify(by.map((d) => group[d]))
      const current = groups.get(key) ?? { group, figures: zero }
      groups.set(key, { group, figures: add(current.figures, order, slice.conversions) })
    }
  }
  const rows = [...groups.values()]
    .map(({ group, figures }) => ({ group, ...withShare(figures) }))
    .sort((a, b) => {
      for (const d of by) {
        const c = (a.group[d] ?? "").localeCompare(b.group[d] ?? "")
        if (c !== 0) return c
      }
      return 0
    })
  return { rows, totals: withShare(totals) }
}

/** "84.2 %" or "-". */
export const shareText = (share: number | null) => (share === null ? "-" : `${(share * 100).toFixed(1)} %`)
