// Alerts for marketers and operators, in Slack.
// Consumes: paid canonical orders (tracking policies), dispatch events (skips, permanent rejections,
// dead letters, open circuits), and per-order coverage rows for the daily digest. Emits: AlertRaised
// data, grouping decisions (post now / count into a digest) and Block Kit messages; SlackNotifier posts
// them. Everything here is pure except SlackNotifier, which fails with a SlackError that says whether
// to retry (and after how long), or MissingSecret.
import { Option, Schema } from "effect"
import type { Alert } from "./alert.js"
import type { SlackMessage } from "./blocks.js"
import { CoverageReport, coverageMessage } from "./coverage.js"
import { RepeatDigest } from "./grouping.js"
import { genericMessage, type MessageOptions, problemMessage } from "./messages.js"
import { repeatDigestMessage } from "./repeatMessage.js"
import { WeeklyReport, weeklyMessage } from "./weekly.js"

export { type Alert, type AlertData, groupKeyOf, landingPageOf } from "./alert.js"
export type { Block, SlackMessage } from "./blocks.js"
export {
  type CoverageReport,
  type CoverageRow,
  coverageDigestAlert,
  coverageFrom,
  coverageMessage,
  coverageRowOf,
  hasUsableClickId,
  type PartnerCoverage
} from "./coverage.js"
export { type AlertingDispatchEvent, alertForDispatchEvent } from "./dispatchPolicy.js"
export {
  DEFAULT_GROUP_WINDOW_MS,
  type Decision,
  decide,
  due,
  emptyGrouping,
  GroupingState,
  type GroupWindow,
  groupWindowMs,
  type RepeatDigest,
  repeatDigestAlert
} from "./grouping.js"
export { formatMoney, type MessageOptions, problemMessage } from "./messages.js"
export { escapeMrkdwn, orderLogReference } from "./mrkdwn.js"
export { repeatDigestMessage } from "./repeatMessage.js"
export { classifySlackError, SlackError, type SlackErrorReason } from "./SlackError.js"
export {
  makeSlackNotifier,
  normalizeSlackApiUrl,
  type SlackDestination,
  SlackNotifier,
  SlackNotifierLive,
  type SlackNotifierService,
  type SlackPosted
} from "./SlackNotifier.js"
export { alertsForOrder, type OrderAlertContext } from "./trackingPolicy.js"

const decodeDetail = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Schema.decodeUnknownOption(schema)(value)

/** The Slack message for any recorded alert; digests whose details no longer decode fall back to the summary. */
export const messageFor = (alert: Alert, options: MessageOptions = {}): SlackMessage => {
  switch (alert.problem) {
    case "repeat_digest":
      return decodeDetail(RepeatDigest, alert.details.digest).pipe(
        Option.match({
          onNone: () => genericMessage(alert, options),
          onSome: (digest) => repeatDigestMessage(digest, options)
        })
      )
    case "coverage_digest": {
      const day = typeof alert.details.day === "string" ? alert.details.day : ""
      return decodeDetail(CoverageReport, alert.details.report).pipe(
        Option.match({
          onNone: () => genericMessage(alert, options),
          onSome: (report) => coverageMessage(report, day)
        })
      )
    }
    case "weekly_report":
      return decodeDetail(WeeklyReport, alert.details.report).pipe(
        Option.match({
          onNone: () => genericMessage(alert, options),
          onSome: weeklyMessage
        })
      )
    default:
      return problemMessage(alert, options)
  }
}
