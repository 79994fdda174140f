// One Slack message per alert problem, rendered from the AlertRaised event alone (so a delivery job
// can render what was recorded, long after). Each says what happened, for which company, market and
// partner, which campaign and landing page probably lost the parameter, and where the order's full
// log is. Every user-derived value goes through `plain`/`code`/`bold`, which escape &, < and >.
import type { AlertProblem } from "../events/alerts.js"
import { type Alert, detailRecord, detailText, detailTexts, NONE } from "./alert.js"
import { type Block, context, fields, header, message, type SlackMessage, section } from "./blocks.js"
import { bold, code, escapeMrkdwn, orderLogReference, plain, utcMinute } from "./mrkdwn.js"

export interface MessageOptions {
  /** alerts.publicUrl: links to the order log API when set. */
  readonly publicUrl?: string | undefined
}

export const PROBLEM_LABELS: Record<AlertProblem, string> = {
  missing_tracking: "purchase without tracking",
  contradicting_tracking: "click id missing",
  dispatch_skipped: "conversion not sent",
  dead_letter: "conversion given up",
  dispatch_rejected: "conversion rejected",
  circuit_open: "target paused",
  coverage_digest: "tracking coverage",
  repeat_digest: "repeats",
  weekly_report: "weekly outcome report",
  dispatch_held: "conversion held",
  normalization_failed: "webhook not normalized",
  webhook_rejected: "webhook refused"
}

/** "49.90 EUR", "1200 JPY": the currency's own number of decimals. */
export const formatMoney = (amountMinor: number, currency: string): string => {
  let digits = 2
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    // An unknown code: show two decimals rather than fail a message.
  }
  return `${(amountMinor / 10 ** digits).toFixed(digits)} ${currency}`
}

const orderValue = (alert: Alert): string | undefined => {
  const value = detailRecord(alert.details, "value")
  return typeof value.amountMinor === "number" && typeof value.currency === "string"
    ? formatMoney(value.amountMinor, value.currency)
    : undefined
}

const orNone = (text: string | undefined): string => (text === undefined || text === NONE ? "_none_" : code(text, 120))

const landingField = (alert: Alert): string => {
  if (alert.landingUrl === undefined) return "_unknown_"
  const keys = detailTexts(alert.details, "landingQueryKeys")
  const query = keys.length === 0 ? "no query parameters" : `query: ${keys.map((k) => code(k, 40)).join(" ")}`
  return `${code(alert.landingUrl, 160)}\n${query}`
}

/** `lostParameter`: show where the click id was probably lost (not for a partner's rejection). */
const orderFields = (alert: Alert, lostParameter = true): ReadonlyArray<Block> => {
  const utm = detailRecord(alert.details, "utm")
  const source = typeof utm.source === "string" ? utm.source : undefined
  const medium = typeof utm.medium === "string" ? utm.medium : undefined
  return fields([
    ["Company", alert.company === undefined ? undefined : plain(alert.company, 80)],
    ["Market", alert.market === undefined ? "_unknown_" : plain(alert.market, 10)],
    ["Partner", alert.partner === undefined ? "_none recognised_" : plain(alert.partner, 80)],
    ["Target", alert.targetId === undefined ? undefined : plain(alert.targetId, 80)],
    ["Campaign", orNone(alert.campaign)],
    [
      "Source / medium",
      !lostParameter || (source === undefined && medium === undefined)
        ? undefined
        : `${orNone(source)} / ${orNone(medium)}`
    ],
    ["Landing page (probably lost the parameter)", lostParameter ? landingField(alert) : undefined],
    ["Referrer", lostParameter ? plainOr(detailText(alert.details, "referrerHost")) : undefined],
    ["Order value", orderValue(alert)]
  ])
}

const plainOr = (text: string | undefined): string | undefined => (text === undefined ? undefined : plain(text, 120))

const presentText = (alert: Alert): string => {
  const present = detailTexts(alert.details, "present")
  return present.length === 0 ? "none" : present.map((k) => code(k, 40)).join(" ")
}

const hintBlock = (alert: Alert): ReadonlyArray<Block> => {
  const hint = detailText(alert.details, "hint")
  return hint === undefined ? [] : [section(`:bulb: ${plain(hint, 600)}`)]
}

const quote = (text: string | undefined): string => (text === undefined ? "" : `\n>${plain(text, 500)}`)

const footer = (alert: Alert, options: MessageOptions): ReadonlyArray<Block> =>
  alert.orderKey === undefined ? [] : [context(orderLogReference(alert.orderKey, options.publicUrl))]

const orderRef = (alert: Alert): string => {
  const value = orderValue(alert)
  return `${code(alert.orderKey ?? "?", 120)}${value === undefined ? "" : ` (${escapeMrkdwn(value)})`}`
}

const missingTracking = (alert: Alert, options: MessageOptions): SlackMessage =>
  message(plain(alert.summary, 500), [
    header(":mag: Purchase without any tracking"),
    section(
      `Paid order ${orderRef(alert)} arrived with *no click id and no UTM parameters*, so no ad or affiliate ` +
        "partner can be credited for it."
    ),
    ...orderFields(alert),
    ...hintBlock(alert),
    ...footer(alert, options)
  ])

const contradictingTracking = (alert: Alert, options: MessageOptions): SlackMessage => {
  const expected = detailTexts(alert.details, "expected")
  const signal = detailText(alert.details, "signal")
  const partner = alert.partner ?? "the partner"
  return message(plain(alert.summary, 500), [
    header(`:warning: ${partner} click id missing`),
    section(
      `Paid order ${orderRef(alert)} has ${signal === undefined ? "a UTM tag for this partner" : code(signal)} but no ` +
        `${expected.length === 0 ? "click id" : expected.map((k) => code(k, 40)).join(" / ")}: ` +
        `${bold(partner)} cannot match this conversion.\nIdentifiers that did arrive: ${presentText(alert)}`
    ),
    ...orderFields(alert),
    ...hintBlock(alert),
    ...footer(alert, options)
  ])
}

const SKIP_REASONS: Record<string, string> = {
  missing_identifiers: "it carries no identifier this target can match",
  consent_denied: "the customer denied consent for ad data"
}

const dispatchSkipped = (alert: Alert, options: MessageOptions): SlackMessage => {
  const reason = detailText(alert.details, "reason") ?? ""
  return message(plain(alert.summary, 500), [
    header(`:no_entry_sign: Conversion not sent to ${alert.targetId ?? "a target"}`),
    section(
      `Order ${orderRef(alert)} was routed to ${bold(alert.targetId ?? "?")} but not sent: ` +
        `${plain(SKIP_REASONS[reason] ?? reason)}.${quote(detailText(alert.details, "message"))}` +
        `\nIdentifiers that did arrive: ${presentText(alert)}`
    ),
    ...orderFields(alert, reason === "missing_identifiers"),
    ...hintBlock(alert),
    ...footer(alert, options)
  ])
}

/** What the dead letter's cause (its alert details) says happened. */
const GIVEN_UP_LEAD = (attempts: string): Record<string, string> => ({
  attempts: `failed ${attempts} times, every attempt its retry policy allows`,
  horizon: `failed ${attempts} times until the retry horizon ran out`,
  window: `was given up after ${attempts} attempt(s): the order is past the destination's time window`,
  unknown: `failed ${attempts} times and was given up`
})

const dispatchFailure = (alert: Alert, options: MessageOptions, given: "up" | "rejected"): SlackMessage => {
  const reason = detailText(alert.details, "reason") ?? "unknown"
  const attempts = detailText(alert.details, "attempts") ?? "?"
  const status = detailText(alert.details, "status")
  const target = alert.targetId ?? "?"
  const cause = detailText(alert.details, "cause")
  const lead =
    given === "up"
      ? `Sending order ${orderRef(alert)} to ${bold(target)} ${GIVEN_UP_LEAD(plain(attempts))[cause ?? "unknown"] ?? GIVEN_UP_LEAD(plain(attempts)).unknown} (${code(reason, 60)}).`
      : `${bold(target)} rejected order ${orderRef(alert)} (${code(reason, 60)}${status === undefined ? "" : `, HTTP ${plain(status)}`}); ` +
        "it will not be retried."
  return message(plain(alert.summary, 500), [
    header(given === "up" ? `:skull: Conversion given up: ${target}` : `:x: ${target} rejected a conversion`),
    section(`${lead}${quote(detailText(alert.details, "message"))}`),
    ...orderFields(alert, false),
    ...hintBlock(alert),
    ...footer(alert, options)
  ])
}

const circuitOpen = (alert: Alert): SlackMessage => {
  const target = alert.targetId ?? "?"
  const failures = detailText(alert.details, "consecutiveFailures") ?? "?"
  const until = detailText(alert.details, "until")
  return message(plain(alert.summary, 500), [
    header(`:rotating_light: ${target} paused`),
    section(
      `${bold(target)} failed for ${plain(failures)} orders in a row; sending to it is paused` +
        `${until === undefined ? "" : ` until ${plain(utcMinute(until))}`}.${quote(detailText(alert.details, "reason"))}`
    ),
    ...hintBlock(alert)
  ])
}

const commandBlock = (alert: Alert, label: string, key: string): ReadonlyArray<Block> => {
  const command = detailText(alert.details, key)
  return command === undefined ? [] : [section(`${label}\n${code(command, 600)}`)]
}

const dispatchHeld = (alert: Alert, options: MessageOptions): SlackMessage => {
  const target = alert.targetId ?? "?"
  const attempt = detailText(alert.details, "attempt") ?? "?"
  const lead =
    detailText(alert.details, "cause") === "no_response"
      ? `Attempt ${plain(attempt)} to send order ${orderRef(alert)} to ${bold(target)} went out and *no answer came*.`
      : `Attempt ${plain(attempt)} to send order ${orderRef(alert)} to ${bold(target)} was under way when its *worker stopped*.`
  return message(plain(alert.summary, 500), [
    header(`:pause_button: Conversion held: ${target}`),
    section(
      `${lead} Whether ${bold(target)} got it is unknown, and a second postback could count twice, so nothing more ` +
        `is sent until you decide.${quote(detailText(alert.details, "message"))}`
    ),
    ...orderFields(alert, false),
    ...commandBlock(alert, "If the partner does not have it, send it:", "command"),
    ...commandBlock(alert, "or through the API:", "apiCall"),
    ...hintBlock(alert),
    ...footer(alert, options)
  ])
}

const webhookFields = (alert: Alert): ReadonlyArray<Block> => {
  const path = detailText(alert.details, "path")
  return fields([
    ["Source", alert.sourceId === undefined ? undefined : plain(alert.sourceId, 80)],
    ["Company", alert.company === undefined ? undefined : plain(alert.company, 80)],
    ["Reason", plainOr(detailText(alert.details, "reason"))],
    ["Webhook", alert.webhookId === undefined ? undefined : code(alert.webhookId, 80)],
    ["Where", path === undefined ? undefined : code(path, 160)]
  ])
}

const normalizationFailed = (alert: Alert): SlackMessage =>
  message(plain(alert.summary, 500), [
    header(`:construction: Webhook not normalized: ${alert.sourceId ?? "?"}`),
    section(
      `A signed webhook from ${bold(alert.sourceId ?? "?")} is stored but *no parser could read it*, so no order ` +
        `came of it and nothing was sent.${quote(detailText(alert.details, "message"))}`
    ),
    ...webhookFields(alert),
    ...commandBlock(alert, "List them:", "list"),
    ...commandBlock(alert, "After the fix, run them again (without --yes: a dry run first):", "command"),
    ...commandBlock(alert, "or through the API:", "apiCall"),
    ...hintBlock(alert)
  ])

const webhookRejected = (alert: Alert): SlackMessage =>
  message(plain(alert.summary, 500), [
    header(`:no_entry: Webhook refused: ${alert.sourceId ?? "?"}`),
    section(
      `A correctly signed webhook from ${bold(alert.sourceId ?? "?")} was *refused with 400*: its body is not ` +
        `readable JSON. Its raw bytes are kept.${quote(detailText(alert.details, "message"))}`
    ),
    ...webhookFields(alert),
    ...commandBlock(alert, "List them:", "list"),
    ...hintBlock(alert)
  ])

/** Any alert as a plain message: for problems rendered elsewhere and details that no longer decode. */
export const genericMessage = (alert: Alert, options: MessageOptions): SlackMessage =>
  message(plain(alert.summary, 500), [
    header(`:bell: ${PROBLEM_LABELS[alert.problem]}`),
    section(plain(alert.summary, 1000)),
    ...orderFields(alert),
    ...hintBlock(alert),
    ...footer(alert, options)
  ])

/** The message for one tracking or dispatch alert (digests: see messageFor in index.ts). */
export const problemMessage = (alert: Alert, options: MessageOptions): SlackMessage => {
  switch (alert.problem) {
    case "missing_tracking":
      return missingTracking(alert, options)
    case "contradicting_tracking":
      return contradictingTracking(alert, options)
    case "dispatch_skipped":
      return dispatchSkipped(alert, options)
    case "dead_letter":
      return dispatchFailure(alert, options, "up")
    case "dispatch_rejected":
      return dispatchFailure(alert, options, "rejected")
    case "circuit_open":
      return circuitOpen(alert)
    case "dispatch_held":
      return dispatchHeld(alert, options)
    case "normalization_failed":
      return normalizationFailed(alert)
    case "webhook_rejected":
      return webhookRejected(alert)
    default:
      return genericMessage(alert, options)
  }
}
