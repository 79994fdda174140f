// `s2s orders show|log`: what the commands defined in ../orders.ts do.
import { Effect } from "effect"
import { amountText } from "../../lib/money.js"
import { toOrderLog } from "../../orders/log.js"
import { maskEvent } from "../../orders/maskEvent.js"
import { orderEvents, orderView } from "../../orders/Orders.js"
import { timeline } from "../../orders/timeline.js"
import { type OrderView, toOrderView } from "../../orders/view.js"
import type { OrderInput } from "../orders.js"
import { print, printJson, table } from "../output.js"
import { withCore } from "../stages.js"

const dash = (value: string | number | null | undefined) =>
  value === null || value === undefined ? "-" : String(value)

const trackingLine = (v: OrderView) => {
  const t = v.tracking
  if (t === null) return "-"
  const ids = [
    ...(["gclid", "gbraid", "wbraid", "fbclid", "fbc", "fbp"] as const).flatMap((k) => (t[k] ? [`${k}=${t[k]}`] : [])),
    ...Object.entries(t.clickIds).map(([k, val]) => `${k}=${val}`)
  ]
  const utm = Object.entries(t.utm).map(([k, val]) => `utm_${k}=${val}`)
  return [...ids, ...utm, ...(t.coupon ? [`coupon=${t.coupon}`] : [])].join(" ") || "none"
}

const fields = (rows: ReadonlyArray<readonly [string, string]>) =>
  rows.map(([label, value]) => `  ${label.padEnd(10)}${value}`)

export const formatOrderView = (v: OrderView): string => {
  const c = v.customer
  const customer =
    c === null
      ? "-"
      : [c.email, c.phone, [c.firstName, c.lastName].filter(Boolean).join(" "), c.zip, c.city, c.country]
          .filter(Boolean)
          .join(", ")
  const value = v.value === null ? "-" : `${v.value.amount} ${v.value.currency}`
  const status = v.ignored === null ? v.status : `ignored: ${v.ignored.reason} (${v.ignored.detail})`
  const lines = [
    `Order ${v.orderKey}${v.orderNumber ? ` (${v.orderNumber})` : ""}, ${v.platform ?? "?"} order ${dash(v.platformOrderId)} from ${v.sourceId}${v.test ? ", TEST" : ""}`,
    ...fields([
      ["status", status],
      [
        "value",
        `${value}${v.refundedMinor > 0 && v.value ? `, refunded ${amountText(v.refundedMinor, v.value.currency)}` : ""}`
      ],
      [
        "identity",
        `company ${dash(v.company)}, market ${dash(v.market)}, partner ${dash(v.partner)}, products ${v.products.join(", ") || "-"}`
      ],
      ["placed", dash(v.placedAt)],
      ["paid", dash(v.paidAt)],
      ["tracking", `${trackingLine(v)}${v.missingTracking ? " (missing tracking)" : ""}`],
      ["landing", dash(v.tracking?.landingUrl)],
      ["referrer", dash(v.tracking?.referrer)],
      ["customer", `${customer}${v.masked ? " (masked; --reveal shows it)" : ""}`],
      ["dispatch", v.dispatchState],
      ["updated", `${v.updatedAt} (stream version ${v.version})`]
    ])
  ]
  if (v.targets.length > 0)
    lines.push(
      "",
      table(
        ["TARGET", "KIND", "CHANNEL", "RULE", "STATUS", "ATTEMPTS", "LAST ATTEMPT", "NEXT ATTEMPT", "LAST REASON"],
        v.targets.map((t) => [
          t.targetId,
          t.kind,
          t.channel,
          t.ruleId,
          t.status,
          String(t.attempts),
          dash(t.lastAttemptAt),
          dash(t.nextAttemptAt),
          t.lastReason === null ? "-" : `${t.lastReason}${t.lastMessage ? `: ${t.lastMessage}` : ""}`
        ])
      )
    )
  return lines.join("\n")
}

export const show = ({ orderKey, json, reveal }: OrderInput) =>
  Effect.gen(function* () {
    const view = toOrderView(yield* orderView(orderKey), { reveal })
    yield* json ? printJson(view) : print(formatOrderView(view))
  }).pipe(withCore)

export const log = ({ orderKey, json, reveal }: OrderInput) =>
  Effect.gen(function* () {
    const events = yield* orderEvents(orderKey)
    if (json) return yield* printJson(toOrderLog(orderKey, events, { reveal }))
    const rows = timeline(reveal ? events : events.map((e) => ({ ...e, event: maskEvent(e.event) })))
    yield* print(
      table(
        ["TIME", "STAGE", "STATUS", "TARGET", "DURATION", "WHAT HAPPENED"],
        rows.map((r) => [r.at, r.stage, r.status, r.target, r.duration, r.what])
      )
    )
  }).pipe(withCore)
