// Alerts for webhooks that never became an order: a signed payload no parser could read
// (NormalizationFailed) and a signed body refused at the door with 400 (WebhookRejected). Both are
// grouped per source and reason, so a platform API change that breaks a whole source is one message
// (then one count per window with sample webhook ids), not one per order. Each names a webhook id, the
// reason in the parser's own words, and the command to list them or run them again after a fix.
import { AlertRaised } from "../events/alerts.js"
import {
  failureReasonOf,
  type NormalizationFailed,
  rejectionReasonOf,
  type WebhookRejected
} from "../events/webhook.js"
import { shellArg } from "../lib/shell.js"
import { type Alert, ANY, groupKeyOf, opt } from "./alert.js"
import { clip, scrubEmails } from "./mrkdwn.js"

export type AlertingWebhookEvent = typeof NormalizationFailed.Type | typeof WebhookRejected.Type

/** The brand a source belongs to, when the configuration still has the source. */
export type CompanyOf = (sourceId: string) => string | undefined

/** A parser's sentence can quote the payload (a field value); emails go, and it stays short. */
const parserText = (text: string): string => clip(scrubEmails(text.trim()), 500)

/** A short, stable digest of a sentence, so one webhook failing anew for a new reason alerts again. */
const fingerprint = (text: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, "0")
}

export const alertForWebhookEvent = (event: AlertingWebhookEvent, companyOf: CompanyOf): Alert => {
  const company = companyOf(event.sourceId)
  const source = shellArg(event.sourceId)
  if (event._tag === "NormalizationFailed") {
    const reason = failureReasonOf(event)
    return AlertRaised.make({
      alertId: `normalization_failed:${event.webhookId}:${fingerprint(event.reason)}`,
      problem: "normalization_failed",
      groupKey: groupKeyOf({
        company,
        partner: ANY,
        campaign: ANY,
        problem: "normalization_failed",
        scope: `${event.sourceId}:${reason}`
      }),
      webhookId: event.webhookId,
      sourceId: event.sourceId,
      ...opt("company", company),
      summary: `A webhook from ${event.sourceId} could not be normalized (${reason}): ${parserText(event.reason)}`,
      details: {
        webhookId: event.webhookId,
        sourceId: event.sourceId,
        reason,
        message: parserText(event.reason),
        ...opt("path", event.path),
        parserVersion: event.parserVersion,
        list: `s2s webhooks list --state normalization_failed --source ${source}`,
        command: `s2s renormalize --source ${source} --yes`,
        apiCall: `POST /api/v1/renormalize {"sourceId":${JSON.stringify(event.sourceId)},"dryRun":false}`,
        hint:
          "The webhook is stored as received and nothing was sent for it. Fix the cause (the parser, the source's " +
          "configuration, or the platform's payload), dry-run the re-normalization without --yes, then run it."
      }
    })
  }
  const reason = rejectionReasonOf(event)
  return AlertRaised.make({
    alertId: `webhook_rejected:${event.webhookId}`,
    problem: "webhook_rejected",
    groupKey: groupKeyOf({
      company,
      partner: ANY,
      campaign: ANY,
      problem: "webhook_rejected",
      scope: `${event.sourceId}:${reason}`
    }),
    webhookId: event.webhookId,
    sourceId: event.sourceId,
    ...opt("company", company),
    summary: `A signed webhook from ${event.sourceId} was refused with 400 (${reason}): ${parserText(event.reason)}`,
    details: {
      webhookId: event.webhookId,
      sourceId: event.sourceId,
      reason,
      message: parserText(event.reason),
      bytes: event.body.bytes,
      ...opt("topic", event.topic),
      list: `s2s webhooks list --state rejected --source ${source}`,
      hint:
        "The sender signed it, so it is the platform (or a shop plugin) sending bytes we cannot read; its raw bytes " +
        "are kept. The platform got a 400 and may not send it again: ask it to resend once it sends valid JSON."
    }
  })
}
