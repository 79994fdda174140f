// The follow-up for a group whose window closed with repeats: how many more, since when, which group,
// and a few order keys to open, so the channel shows one message per broken campaign and hour.
import { ANY, NONE } from "./alert.js"
import { context, fields, header, message, type SlackMessage, section } from "./blocks.js"
import type { RepeatDigest } from "./grouping.js"
import { type MessageOptions, PROBLEM_LABELS } from "./messages.js"
import { code, count, orderLogReference, plain, utcMinute } from "./mrkdwn.js"

const slot = (value: string | undefined): string | undefined =>
  value === undefined || value === ANY ? undefined : value === NONE ? "_none_" : plain(value, 80)

export const repeatDigestMessage = (digest: RepeatDigest, options: MessageOptions): SlackMessage => {
  const what = digest.problem === "circuit_open" ? "more times" : digest.count === 1 ? "more order" : "more orders"
  const lead = `${count(digest.count)} ${what} of this kind since ${utcMinute(digest.since)}`
  const label = PROBLEM_LABELS[digest.problem]
  const more = digest.count - digest.sampleOrderKeys.length
  const samples =
    digest.sampleOrderKeys.length === 0
      ? []
      : [
          section(
            `Examples: ${digest.sampleOrderKeys.map((key) => code(key, 120)).join(", ")}` +
              (more > 0 ? ` and ${count(more)} more` : "")
          )
        ]
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
      ["Target", slot(digest.targetId)]
    ]),
    ...samples,
    ...(digest.firstOrderKey === undefined
      ? []
      : [context(`First alert: ${orderLogReference(digest.firstOrderKey, options.orderLink?.(digest.firstOrderKey))}`)])
  ])
}
