// The weekly outcome summary for Slack: the last 7 days' figures (s2s report's, reports/figures.ts)
// per company, the week before for comparison, and the biggest change between them among (company,
// partner) groups, so the one thing worth a look is named. Recorded as an alert (weekly_report) and
// posted like the digests; one per week (its stream alert-weekly_report:{first day}).
import { Schema } from "effect"
import { AlertRaised } from "../events/alerts.js"
import type { Figures, ReportRow } from "../reports/figures.js"
import { shareText } from "../reports/figures.js"
import type { Alert } from "./alert.js"
import { context, header, message, type SlackMessage, section } from "./blocks.js"
import { bold, count, plain } from "./mrkdwn.js"

const FiguresSchema = Schema.Struct({
  orders: Schema.Int,
  paid: Schema.Int,
  eligible: Schema.Int,
  delivered: Schema.Int,
  acknowledged: Schema.Int,
  failed: Schema.Int,
  held: Schema.Int,
  deliveryShare: Schema.NullOr(Schema.Number)
})

export const WeeklyReport = Schema.Struct({
  from: Schema.String,
  to: Schema.String,
  totals: FiguresSchema,
  previousTotals: FiguresSchema,
  companies: Schema.Array(Schema.Struct({ company: Schema.String, figures: FiguresSchema })),
  /** The (company, partner) whose delivered orders changed most from the week before. */
  biggestChange: Schema.optional(
    Schema.Struct({
      company: Schema.String,
      partner: Schema.String,
      before: Schema.Int,
      after: Schema.Int
    })
  )
})
export type WeeklyReport = typeof WeeklyReport.Type

const keyOf = (r: ReportRow) => `${r.group.company ?? "-"}|${r.group.partner ?? "-"}`

/** Largest absolute change in delivered orders per (company, partner); groups new or gone count too. */
export const biggestChange = (
  current: ReadonlyArray<ReportRow>,
  previous: ReadonlyArray<ReportRow>
): WeeklyReport["biggestChange"] => {
  const before = new Map(previous.map((r) => [keyOf(r), r]))
  const after = new Map(current.map((r) => [keyOf(r), r]))
  let best: WeeklyReport["biggestChange"]
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key)?.delivered ?? 0
    const a = after.get(key)?.delivered ?? 0
    const [company = "-", partner = "-"] = key.split("|")
    if (a !== b && (best === undefined || Math.abs(a - b) > Math.abs(best.after - best.before)))
      best = { company, partner, before: b, after: a }
  }
  return best
}

const line = (f: Figures) =>
  `${count(f.orders)} orders · ${count(f.paid)} paid · ${count(f.eligible)} eligible · ${count(f.delivered)} delivered ` +
  `(*${shareText(f.deliveryShare)}*) · ${count(f.acknowledged)} acknowledged by all targets · ${count(f.failed)} failed` +
  `${f.held > 0 ? ` · ${count(f.held)} held` : ""}`

const changeText = (c: NonNullable<WeeklyReport["biggestChange"]>) => {
  const delta = c.after - c.before
  const pct = c.before === 0 ? "new" : `${delta > 0 ? "+" : ""}${Math.round((delta / c.before) * 100)} %`
  return `${plain(c.company, 60)} / ${c.partner === "-" ? "no partner" : plain(c.partner, 60)}: ${count(c.before)} → ${count(c.after)} delivered orders (${delta > 0 ? "+" : ""}${delta}, ${pct})`
}

export const weeklyMessage = (r: WeeklyReport): SlackMessage => {
  const period = `${r.from.slice(0, 10)} – ${new Date(Date.parse(r.to) - 1).toISOString().slice(0, 10)}`
  return message(`Weekly outcome ${period}: ${line(r.totals).replaceAll("*", "")}`, [
    header(`:calendar: Weekly outcome ${period}`),
    section(`${line(r.totals)}\n_the week before:_ ${line(r.previousTotals)}`),
    ...(r.biggestChange === undefined
      ? []
      : [section(`:chart_with_upwards_trend: *Biggest change*: ${changeText(r.biggestChange)}`)]),
    ...(r.companies.length === 0
      ? [section("No orders in this period.")]
      : [
          section(
            r.companies
              .slice(0, 20)
              .map((c) => `${bold(c.company, 80)}: ${line(c.figures)}`)
              .join("\n")
          )
        ]),
    context(
      "Delivered: accepted by at least one target. Run `s2s report --from … --by company,partner` for the full table."
    )
  ])
}

export const weeklyReportAlert = (r: WeeklyReport): Alert =>
  AlertRaised.make({
    alertId: `weekly_report:${r.from.slice(0, 10)}`,
    problem: "weekly_report",
    groupKey: `*|*|*|weekly_report|${r.from.slice(0, 10)}`,
    summary: `Weekly outcome from ${r.from.slice(0, 10)}: ${r.totals.orders} orders, ${r.totals.delivered} delivered (${shareText(r.totals.deliveryShare)})`,
    details: { report: Schema.encodeSync(WeeklyReport)(r) }
  })

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const

/** The week to report at `now`, once the configured weekday and hour came: the 7 UTC days before today. */
export const weekDue = (
  now: Date,
  setting: { readonly day?: (typeof DAYS)[number] | undefined; readonly hour?: number | undefined }
): { readonly from: Date; readonly to: Date; readonly previousFrom: Date } | undefined => {
  if (DAYS[now.getUTCDay()] !== (setting.day ?? "monday") || now.getUTCHours() < (setting.hour ?? 8)) return undefined
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  return { from: new Date(to.getTime() - 7 * 86_400_000), to, previousFrom: new Date(to.getTime() - 14 * 86_400_000) }
}
