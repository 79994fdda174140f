// Alerts for conversions that did not reach a partner: skipped for a missing click id or denied consent,
// rejected for good, dead-lettered after the retry horizon, held because an attempt's outcome is
// unknown and the partner cannot deduplicate a resend, or a whole target paused by its circuit
// breaker. Retryable failures and routine skips (target disabled, event too old) are not alerts: the
// retry policy or the operator who disabled the target already owns them.
import { AlertRaised } from "../events/alerts.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import {
  type CircuitOpened,
  type DispatchDeadLettered,
  type DispatchFailed,
  type DispatchHeld,
  type DispatchSkipped,
  deadLetterCause
} from "../events/dispatch.js"
import { shellArg } from "../lib/shell.js"
import { type Alert, type AlertData, ANY, groupKeyOf, opt, orderFacts } from "./alert.js"
import { clip, scrubPersonalData } from "./mrkdwn.js"
import { identifiersPresent } from "./signals.js"

export type AlertingDispatchEvent =
  | typeof DispatchSkipped.Type
  | typeof DispatchDeadLettered.Type
  | typeof DispatchFailed.Type
  | typeof DispatchHeld.Type
  | typeof CircuitOpened.Type

/** Why it was given up, as the summary says it. */
const GIVEN_UP = {
  attempts: "its attempt budget is spent",
  horizon: "its retry horizon ran out",
  window: "past the destination's time window"
} as const

const DEAD_LETTER_HINT = {
  attempts:
    "Every attempt the target's retry policy allows (retry.maxAttempts) failed. Once the target works again, re-dispatch (dry-run first); nothing is sent twice.",
  horizon:
    "The retry horizon is over (retry.horizon). Once the target works again, re-dispatch (dry-run first); nothing is sent twice.",
  window: "The destination no longer accepts a conversion this old; a re-dispatch will be refused the same way.",
  unknown: "Once the target works again, re-dispatch (dry-run first); nothing is sent twice."
} as const

/** A partner's or channel's own words: bounded, and without emails it may echo back. */
const vendorText = (text: string): string => clip(scrubPersonalData(text.trim()), 500)

const forOrder = (
  orderKey: string,
  order: CanonicalOrder | undefined,
  campaignMatters: boolean
): {
  readonly fields: Omit<AlertData, "alertId" | "problem" | "groupKey" | "summary" | "details">
  readonly company: string | undefined
  readonly partner: string | undefined
  readonly campaign: string | undefined
  readonly details: Record<string, unknown>
} => {
  if (order === undefined || order.orderKey !== orderKey) {
    return { fields: { orderKey }, company: undefined, partner: undefined, campaign: undefined, details: { orderKey } }
  }
  const facts = orderFacts(order)
  return {
    fields: { ...facts.fields, ...opt("partner", order.partner) },
    company: order.company,
    partner: order.partner,
    campaign: campaignMatters ? facts.campaign : ANY,
    details: { ...facts.details, present: identifiersPresent(order.tracking) }
  }
}

const SKIP_TEXT = {
  missing_identifiers: "it carries no identifier this target can match",
  consent_denied: "the customer denied consent for ad data"
} as const

const SKIP_HINT = {
  missing_identifiers:
    "The order reached this target without the click id (or contact data) it needs. The campaign and landing page " +
    "below are where the parameter was probably lost.",
  consent_denied:
    "Nothing to fix if the customer said no. Many of these in one market point at a consent banner that denies by " +
    "default or does not pass the choice to the shop."
} as const

/** The alert for a dispatch event, or undefined when the event is not worth a message. */
export const alertForDispatchEvent = (event: AlertingDispatchEvent, order?: CanonicalOrder): Alert | undefined => {
  switch (event._tag) {
    case "DispatchSkipped": {
      if (event.reason !== "missing_identifiers" && event.reason !== "consent_denied") return undefined
      const o = forOrder(event.orderKey, order, true)
      return AlertRaised.make({
        alertId: `dispatch_skipped:${event.orderKey}:${event.targetId}:${event.kind}:${event.reason}`,
        problem: "dispatch_skipped",
        groupKey: groupKeyOf({ ...o, problem: "dispatch_skipped", scope: `${event.targetId}:${event.reason}` }),
        ...o.fields,
        targetId: event.targetId,
        summary: `Conversion of ${event.orderKey} not sent to ${event.targetId}: ${SKIP_TEXT[event.reason]}`,
        details: {
          ...o.details,
          targetId: event.targetId,
          kind: event.kind,
          reason: event.reason,
          message: vendorText(event.detail),
          hint: SKIP_HINT[event.reason]
        }
      })
    }
    case "DispatchFailed": {
      if (event.retryable) return undefined
      const o = forOrder(event.orderKey, order, false)
      return AlertRaised.make({
        alertId: `dispatch_rejected:${event.orderKey}:${event.targetId}:${event.kind}:${event.attempt}`,
        problem: "dispatch_rejected",
        groupKey: groupKeyOf({ ...o, problem: "dispatch_rejected", scope: `${event.targetId}:${event.reason}` }),
        ...o.fields,
        targetId: event.targetId,
        summary: `${event.targetId} rejected the conversion of ${event.orderKey} for good (${event.reason})`,
        details: {
          ...o.details,
          targetId: event.targetId,
          kind: event.kind,
          reason: event.reason,
          message: vendorText(event.message),
          attempts: event.attempt,
          ...opt("status", event.status),
          hint: "This will not be retried. Fix the cause (credentials, target settings, order data), then re-dispatch the order."
        }
      })
    }
    case "DispatchDeadLettered": {
      const o = forOrder(event.orderKey, order, false)
      const cause = deadLetterCause(event)
      // Older events carry the cause inside reason ("ServerError: gave up after 2 attempts").
      const reason =
        event.cause === undefined && cause !== undefined ? (event.reason.split(":")[0] ?? event.reason) : event.reason
      return AlertRaised.make({
        alertId: `dead_letter:${event.orderKey}:${event.targetId}:${event.kind}:${event.attempts}`,
        problem: "dead_letter",
        groupKey: groupKeyOf({ ...o, problem: "dead_letter", scope: `${event.targetId}:${event.reason}` }),
        ...o.fields,
        targetId: event.targetId,
        summary: `Gave up sending ${event.orderKey} to ${event.targetId} after ${event.attempts} attempt${event.attempts === 1 ? "" : "s"} (${reason}${cause === undefined ? "" : `; ${GIVEN_UP[cause]}`})`,
        details: {
          ...o.details,
          targetId: event.targetId,
          kind: event.kind,
          reason,
          message: vendorText(event.message),
          attempts: event.attempts,
          ...opt("cause", cause),
          ...opt("causeDetail", event.detail),
          hint: DEAD_LETTER_HINT[cause ?? "unknown"]
        }
      })
    }
    case "DispatchHeld": {
      const o = forOrder(event.orderKey, order, false)
      const command = `s2s redispatch --order ${shellArg(event.orderKey)} --target ${shellArg(event.targetId)} --yes`
      const apiCall = `POST /api/v1/redispatch {"orderKeys":[${JSON.stringify(event.orderKey)}],"target":${JSON.stringify(event.targetId)},"dryRun":false}`
      return AlertRaised.make({
        alertId: `dispatch_held:${event.orderKey}:${event.targetId}:${event.kind}:${event.attempt}`,
        problem: "dispatch_held",
        groupKey: groupKeyOf({ ...o, problem: "dispatch_held", scope: `${event.targetId}:${event.cause}` }),
        ...o.fields,
        targetId: event.targetId,
        summary: `${event.orderKey} to ${event.targetId} is held: attempt ${event.attempt} may or may not have arrived`,
        details: {
          ...o.details,
          targetId: event.targetId,
          kind: event.kind,
          attempt: event.attempt,
          cause: event.cause,
          message: vendorText(event.detail),
          command,
          apiCall,
          hint:
            "Nothing more is sent until you decide. Ask the partner whether it has this order; if it does not, send it " +
            "with the command below (or the API call). If it does, leave it held: sending would count it twice. " +
            `All held orders of this target: s2s orders list --dispatch-state held; s2s redispatch --target ${shellArg(event.targetId)} --state held --yes sends them all.`
        }
      })
    }
    case "CircuitOpened":
      return AlertRaised.make({
        alertId: `circuit_open:${event.targetId}:${event.until}`,
        problem: "circuit_open",
        groupKey: groupKeyOf({
          company: ANY,
          partner: ANY,
          campaign: ANY,
          problem: "circuit_open",
          scope: event.targetId
        }),
        targetId: event.targetId,
        summary: `${event.targetId} paused after ${event.consecutiveFailures} consecutive failures, until ${event.until}`,
        details: {
          targetId: event.targetId,
          consecutiveFailures: event.consecutiveFailures,
          reason: vendorText(event.lastReason),
          until: event.until,
          hint: "Every order failed in a row, so sending to this target is paused; it retries after the pause. Check the target's status and credentials."
        }
      })
  }
}
