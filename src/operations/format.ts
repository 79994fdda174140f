// Operator reports as text for the CLI, pure: a headline, a table (one row per dispatch or webhook),
// and a closing line that says plainly whether anything was sent or recorded.
import type { RedispatchReport, RenormalizeReport, ReplanReport } from "./schemas.js"

export interface Rendered {
  readonly headline: string
  readonly headers: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly footer: ReadonlyArray<string>
}

export const plural = (n: number, word: string) =>
  `${n} ${word}${n === 1 ? "" : /(s|sh|ch|x)$/.test(word) ? "es" : "s"}`

const ACTION = { would_send: "would send", requested: "requested", skipped: "skipped" } as const

export const renderRedispatch = (r: RedispatchReport): Rendered => ({
  headline:
    `${r.dryRun ? "dry run: " : ""}${plural(r.selected, "dispatch")} selected, ` +
    `${r.send} ${r.dryRun ? "would be sent" : "requested"}, ${r.skipped} skipped`,
  headers: ["ORDER", "TARGET", "KIND", "STATE", "ACTION", "DETAIL"],
  rows: r.items.map((i) => [
    i.orderKey,
    i.targetId,
    i.kind,
    i.state,
    ACTION[i.action],
    i.action === "skipped" ? (i.reason ?? "") : (i.summary ?? "")
  ]),
  footer: [
    ...(r.notFound.length > 0 ? [`no such order: ${r.notFound.join(", ")}`] : []),
    ...(r.truncated ? ["more orders matched than one run handles: narrow the filters and run again"] : []),
    r.dryRun
      ? r.send > 0
        ? "nothing was sent (dry run); run again with --yes to send"
        : "nothing to send"
      : r.send > 0
        ? `${plural(r.send, "dispatch")} requested; the worker sends them now`
        : "nothing requested"
  ]
})

const REPLAN_ACTION = {
  would_plan: "would plan",
  planned: "planned",
  skipped: "skipped",
  no_longer_routed: "not routed now"
} as const

export const renderReplan = (r: ReplanReport): Rendered => ({
  headline:
    `${r.dryRun ? "dry run: " : ""}${plural(r.selected, "order")} checked, ` +
    `${plural(r.planned, "new dispatch")} on ${plural(r.orders, "order")} ${r.dryRun ? "would be planned" : "planned"}, ` +
    `${r.unchanged} unchanged, ${r.skipped} skipped`,
  headers: ["ORDER", "TARGET", "RULE", "ACTION", "DETAIL"],
  rows: r.items.map((i) => [i.orderKey, i.targetId ?? "-", i.ruleId ?? "-", REPLAN_ACTION[i.action], i.reason ?? ""]),
  footer: [
    ...(r.notFound.length > 0 ? [`no such order: ${r.notFound.join(", ")}`] : []),
    ...(r.truncated ? ["more orders matched than one run handles: narrow the filters and run again"] : []),
    r.dryRun
      ? r.planned > 0
        ? "nothing was planned (dry run); run again with --yes to plan and send them"
        : "nothing to plan: every selected order is routed as the current configuration routes it"
      : r.planned > 0
        ? `${plural(r.planned, "dispatch")} planned; the worker sends them now`
        : "nothing planned"
  ]
})

const RENORMALIZE_ACTION = {
  would_renormalize: "would change",
  requested: "requested",
  unchanged: "unchanged",
  skipped: "skipped"
} as const

export const renderRenormalize = (r: RenormalizeReport): Rendered => ({
  headline:
    `${r.dryRun ? "dry run: " : ""}${plural(r.selected, "webhook")} selected, ` +
    `${r.changes} ${r.dryRun ? "would change" : "requested"}, ${r.unchanged} unchanged, ${r.skipped} skipped`,
  headers: ["WEBHOOK", "SOURCE", "RECEIVED", "ACTION", "BEFORE", "AFTER"],
  rows: r.items.map((i) => [
    i.webhookId,
    i.sourceId,
    i.receivedAt,
    RENORMALIZE_ACTION[i.action],
    i.before,
    i.action === "skipped" ? `${i.after} (${i.reason ?? ""})` : i.after
  ]),
  footer: [
    ...(r.explanation === undefined ? [] : [r.explanation]),
    ...(r.notFound.length > 0 ? [`no such webhook: ${r.notFound.join(", ")}`] : []),
    ...(r.truncated ? ["more webhooks matched than one run handles: narrow the filters and run again"] : []),
    r.dryRun
      ? r.changes > 0
        ? "nothing was recorded (dry run); run again with --yes to re-normalize"
        : "nothing to re-normalize"
      : r.changes > 0
        ? `${plural(r.changes, "re-normalization")} requested; the worker applies them now`
        : "nothing requested"
  ]
})
