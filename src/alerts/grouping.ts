// Grouping, so a broken campaign produces one useful message, not 500. The first alert of a group key
// posts at once and opens a window (alerts.slack.groupWindow, default 1h); repeats inside the window
// are only counted. When the window has closed, `due` hands back one digest per group that had
// repeats ("N more orders of this kind since ...") and forgets the group, so the next occurrence posts
// at once and opens a new window. Pure and deterministic: time is an argument, the state is plain
// JSON (a Schema), so it can live in a projection row or in memory.
import { Schema } from "effect"
import { AlertProblem, AlertRaised } from "../events/alerts.js"
import { durationMillis } from "../events/configSchema.js"
import { type Alert, ANY, opt, TARGET_CAUSED } from "./alert.js"

export const DEFAULT_GROUP_WINDOW_MS = 3_600_000
/** Order keys kept per window to show in the digest. */
export const SAMPLE_SIZE = 5

export const groupWindowMs = (slack: { readonly groupWindow?: string | undefined } | undefined): number =>
  slack?.groupWindow === undefined ? DEFAULT_GROUP_WINDOW_MS : durationMillis(slack.groupWindow)

const Sample = Schema.Struct({
  alertId: Schema.String,
  orderKey: Schema.optional(Schema.String),
  /** Webhook alerts name a webhook instead of an order. */
  webhookId: Schema.optional(Schema.String)
})

export const GroupWindow = Schema.Struct({
  groupKey: Schema.String,
  problem: AlertProblem,
  company: Schema.optional(Schema.String),
  partner: Schema.optional(Schema.String),
  campaign: Schema.optional(Schema.String),
  targetId: Schema.optional(Schema.String),
  firstAlertId: Schema.String,
  firstOrderKey: Schema.optional(Schema.String),
  sourceId: Schema.optional(Schema.String),
  /** ISO time the first alert was posted. */
  windowStart: Schema.String,
  /** Repeats counted, not posted. */
  suppressed: Schema.Int,
  samples: Schema.Array(Sample)
})
export type GroupWindow = typeof GroupWindow.Type

export const GroupingState = Schema.Struct({
  groups: Schema.Record({ key: Schema.String, value: GroupWindow })
})
export type GroupingState = typeof GroupingState.Type

export const emptyGrouping: GroupingState = { groups: {} }

/** The follow-up for a closed window with repeats. */
export const RepeatDigest = Schema.Struct({
  groupKey: Schema.String,
  problem: AlertProblem,
  company: Schema.optional(Schema.String),
  partner: Schema.optional(Schema.String),
  campaign: Schema.optional(Schema.String),
  targetId: Schema.optional(Schema.String),
  firstAlertId: Schema.String,
  firstOrderKey: Schema.optional(Schema.String),
  count: Schema.Int,
  since: Schema.String,
  until: Schema.String,
  sampleOrderKeys: Schema.Array(Schema.String),
  /** Webhook alerts (normalization failures, refused webhooks): sample webhook ids and their source. */
  sampleWebhookIds: Schema.optional(Schema.Array(Schema.String)),
  sourceId: Schema.optional(Schema.String)
})
export type RepeatDigest = typeof RepeatDigest.Type

export interface Decision {
  /** post: send now; count: folded into the group's digest; duplicate: this alert was seen already. */
  readonly action: "post" | "count" | "duplicate"
  readonly state: GroupingState
  /** The digest of this group's previous window when it had closed but `due` had not run yet. */
  readonly digests: ReadonlyArray<RepeatDigest>
}

const closesAt = (group: GroupWindow, windowMs: number): number => Date.parse(group.windowStart) + windowMs

const digestOf = (group: GroupWindow, windowMs: number): RepeatDigest => ({
  groupKey: group.groupKey,
  problem: group.problem,
  ...opt("company", group.company),
  ...opt("partner", group.partner),
  ...opt("campaign", group.campaign),
  ...opt("targetId", group.targetId),
  firstAlertId: group.firstAlertId,
  ...opt("firstOrderKey", group.firstOrderKey),
  count: group.suppressed,
  since: group.windowStart,
  until: new Date(closesAt(group, windowMs)).toISOString(),
  sampleOrderKeys: group.samples.flatMap((s) => (s.orderKey === undefined ? [] : [s.orderKey])),
  ...(group.samples.some((s) => s.webhookId !== undefined)
    ? { sampleWebhookIds: group.samples.flatMap((s) => (s.webhookId === undefined ? [] : [s.webhookId])) }
    : {}),
  ...opt("sourceId", group.sourceId)
})

const without = (groups: GroupingState["groups"], key: string): GroupingState["groups"] =>
  Object.fromEntries(Object.entries(groups).filter(([k]) => k !== key))

const opened = (alert: Alert, now: Date): GroupWindow => ({
  groupKey: alert.groupKey,
  problem: alert.problem,
  ...opt("company", alert.company),
  ...opt("partner", alert.partner),
  ...opt("campaign", TARGET_CAUSED.has(alert.problem) ? ANY : alert.campaign),
  ...opt("targetId", alert.targetId),
  firstAlertId: alert.alertId,
  ...opt("firstOrderKey", alert.orderKey),
  ...opt("sourceId", alert.sourceId),
  windowStart: now.toISOString(),
  suppressed: 0,
  samples: []
})

export const decide = (state: GroupingState, alert: Alert, now: Date, windowMs: number): Decision => {
  const group = Object.hasOwn(state.groups, alert.groupKey) ? state.groups[alert.groupKey] : undefined
  if (group !== undefined && now.getTime() < closesAt(group, windowMs)) {
    // A redelivered job must not count the same alert twice; older repeats beyond the samples cannot
    // be told apart, so feed each alert once (from the event stream, behind a checkpoint).
    if (group.firstAlertId === alert.alertId || group.samples.some((s) => s.alertId === alert.alertId)) {
      return { action: "duplicate", state, digests: [] }
    }
    const sample = { alertId: alert.alertId, ...opt("orderKey", alert.orderKey), ...opt("webhookId", alert.webhookId) }
    const counted: GroupWindow = {
      ...group,
      suppressed: group.suppressed + 1,
      samples: group.samples.length < SAMPLE_SIZE ? [...group.samples, sample] : group.samples
    }
    return { action: "count", state: { groups: { ...state.groups, [alert.groupKey]: counted } }, digests: [] }
  }
  const digests = group !== undefined && group.suppressed > 0 ? [digestOf(group, windowMs)] : []
  return {
    action: "post",
    state: { groups: { ...without(state.groups, alert.groupKey), [alert.groupKey]: opened(alert, now) } },
    digests
  }
}

/** Closes every window that has ended: a digest for each one with repeats, oldest first. */
export const due = (
  state: GroupingState,
  now: Date,
  windowMs: number
): { readonly digests: ReadonlyArray<RepeatDigest>; readonly state: GroupingState } => {
  const closed = Object.values(state.groups)
    .filter((group) => now.getTime() >= closesAt(group, windowMs))
    .sort((a, b) => a.windowStart.localeCompare(b.windowStart) || a.groupKey.localeCompare(b.groupKey))
  if (closed.length === 0) return { digests: [], state }
  const keys = new Set(closed.map((g) => g.groupKey))
  return {
    digests: closed.filter((g) => g.suppressed > 0).map((g) => digestOf(g, windowMs)),
    state: { groups: Object.fromEntries(Object.entries(state.groups).filter(([k]) => !keys.has(k))) }
  }
}

/** The digest as an alert of its own, so sending it is recorded like any other alert. */
export const repeatDigestAlert = (digest: RepeatDigest): Alert =>
  AlertRaised.make({
    alertId: `repeat_digest:${digest.groupKey}:${digest.since}`,
    problem: "repeat_digest",
    // Its own key: a digest fed to `decide` must not reopen the window it reports on.
    groupKey: `${digest.groupKey}|repeat_digest`,
    ...opt("targetId", digest.targetId),
    ...opt("company", digest.company === ANY ? undefined : digest.company),
    ...opt("partner", digest.partner === ANY ? undefined : digest.partner),
    ...opt("campaign", digest.campaign === ANY ? undefined : digest.campaign),
    summary: `${digest.count} more of the same since ${digest.since}: ${digest.groupKey}`,
    details: { digest: Schema.encodeSync(RepeatDigest)(digest) }
  })
