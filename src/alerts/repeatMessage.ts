// The follow-up for a group whose window closed with repeats: how many more, since when, which group,
// and a few order keys to open, so the channel shows one message per broken campaign and hour.

import { shellArg } from "../lib/shell.js"
import { ANY, NONE } from "./alert.js"
import { context, fields, header, message, type SlackMessage, section } from "./blocks.js"
import type { RepeatDigest } from "./grouping.js"
import { type MessageOptions, PROBLEM_LABELS } from "./messages.js"
import { code, count, orderLogReference, plain, utcMinute } from "./mrkdwn.js"

const slot = (value: string | undefined): string | undefined =>
  value === undefined || value === ANY ? undefined : value === NONE ? "_none_" : plain(value, 80)

const WEBHOOK_PROBLEMS = new Set(["normalization_failed", "webhook_rejected"])

/** The commands that deal with a whole group at once, where there are such. */
const groupCommands = (digest: RepeatDigest): ReadonlyArray<string> => {
  const source = digest.sourceId === undefined ? undefined : shellArg(digest.sourceId)
  switch (digest.problem) {
    case "dispatch_held":
      return digest.targetId === undefined
        ? []
        : [
            "s2s orders list --dispatch-state held",
            `s2s redispatch --target ${shellArg(digest.targetId)} --state held --yes`
          ]
    case "normalization_failed":
      return source === undefined
        ? []
        : [
            `s2s webhooks list --state normalization_failed --source ${source}`,
            `s2s renormalize --source ${source} --yes`
          ]
    case "webhook_rejected":
      return source === undefined ? [] : [`s2s webhooks list --state rejected --source ${source}`]
    default:
      return []
  }
}

export const repeatDigestMessage = (digest: RepeatDigest, options: MessageOptions): SlackMessage => {
  const webhooks = WEBHOOK_PROBLEMS.has(digest.problem)
  const what =
    digest.problem === "circuit_open"
      ? "more times"
      : webhooks
        ? digest.count === 1
          ? "more webhook"
          : "more webhooks"
        : digest.count === 1
          ? "more order"
          : "more orders"
  const lead = `${count(digest.count)} ${what} of this kind since ${utcMinute(digest.since)}`
  const label = PROBLEM_LABELS[digest.problem]
  const examples = webhooks ? (digest.sampleWebhookIds ?? []) : digest.sampleOrderKeys
  const more = digest.count - examples.length
  const samples =
    examples.length === 0
      ? []
      : [
          section(
            `Examples: ${examples.map((key) => code(key, 120)).join(", ")}` +
              (more > 0 ? ` and ${count(more)} more` : "")
          )
        ]
  const commands = groupCommands(digest)
  return message(`${lead}: ${plain(label)}${digest.campaign === undefined ? "" : ` (${plain(digest.campaign, 80)})`}`, [
    header(`:repeat: ${digest.count} ${what}: ${label}`),
    section(`*${lead}* (until ${utcMinute(digest.until)}), after the alert posted then.`),
    ...fields([
      ["Company", slot(digest.company)],
      ["Partner", slot(digest.partner)],
      [
        "Campaign",
        digest.campaign === ANY ? undefined : digest.campaign === undefined ? "_none_" : code(digest.campaign, 120)
      ],
      ["Target", slot(digest.targetId)],
      ["Source", slot(digest.sourceId)]
    ]),
    ...samples,
    ...(commands.length === 0 ? [] : [section(`All of them: ${commands.map((c) => code(c, 300)).join("  ·  ")}`)]),
    ...(digest.firstOrderKey === undefined
      ? []
      : [context(`First alert: ${orderLogReference(digest.firstOrderKey, options.orderLink?.(digest.firstOrderKey))}`)])
  ])
}
