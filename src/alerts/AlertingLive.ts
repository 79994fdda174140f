// The alerting port (src/lib/alerting.ts) for real: the alert policies applied to what a stage is
// about to record. Consumes the stage's events (dispatch skips, rejections, dead letters, holds, open
// circuits, normalization failures, rejected webhooks), the order when it just became paid, and the partner rules and alerts.slack from the
// configuration. Emits one AlertRaised append per alert on its own stream alert-{alertId} (so auditors
// see it in the order's log whether or not Slack is configured) and, when alerts.slack is set, one
// deliver-alert job per alert, all for the caller's transaction. Never fails: a policy has no I/O.
import { Effect, Layer } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import type { PartnerRule } from "../events/configSchema.js"
import { type AlertInput, Alerting, type AlertOutput, noAlerts } from "./Alerting.js"
import type { Alert } from "./alert.js"
import { type AlertingDispatchEvent, alertForDispatchEvent } from "./dispatchPolicy.js"
import { deliverAlertJob, raisedAppend } from "./records.js"
import { alertsForOrder } from "./trackingPolicy.js"
import { type AlertingWebhookEvent, alertForWebhookEvent, type CompanyOf } from "./webhookPolicy.js"

type Event = AlertInput["events"][number]

const isAlerting = (event: Event): event is AlertingDispatchEvent =>
  event._tag === "DispatchSkipped" ||
  event._tag === "DispatchFailed" ||
  event._tag === "DispatchDeadLettered" ||
  event._tag === "DispatchHeld" ||
  event._tag === "CircuitOpened"

const isWebhookProblem = (event: Event): event is AlertingWebhookEvent =>
  event._tag === "NormalizationFailed" || event._tag === "WebhookRejected"

/** The alerts one batch of events implies, each once, in the order of the events. */
export const alertsFor = (
  input: AlertInput,
  partners: ReadonlyArray<PartnerRule>,
  companyOf: CompanyOf = () => undefined
): ReadonlyArray<Alert> => {
  const orderAlerts =
    input.becameEligible === true && input.order !== undefined
      ? alertsForOrder(input.order, { partners, now: input.now })
      : []
  const events = input.events.filter(isAlerting)
  // A final rejection that ends the retry horizon is recorded as DispatchFailed(retryable: false)
  // followed by DispatchDeadLettered: one conversion lost, so one alert, the dead letter.
  const superseded = (event: AlertingDispatchEvent, i: number) =>
    event._tag === "DispatchFailed" &&
    events
      .slice(i + 1)
      .some(
        (later) =>
          later._tag === "DispatchDeadLettered" &&
          later.orderKey === event.orderKey &&
          later.targetId === event.targetId &&
          later.kind === event.kind
      )
  const dispatchAlerts = events.flatMap((event, i) => {
    if (superseded(event, i)) return []
    const alert = alertForDispatchEvent(event, input.order)
    return alert === undefined ? [] : [alert]
  })
  const webhookAlerts = input.events.filter(isWebhookProblem).map((event) => alertForWebhookEvent(event, companyOf))
  const seen = new Set<string>()
  return [...orderAlerts, ...dispatchAlerts, ...webhookAlerts].filter((alert) => {
    if (seen.has(alert.alertId)) return false
    seen.add(alert.alertId)
    return true
  })
}

/** The appends and jobs for these alerts; without Slack the alerts are still recorded, for the audit log. */
export const alertOutput = (alerts: ReadonlyArray<Alert>, slackConfigured: boolean): AlertOutput =>
  alerts.length === 0
    ? noAlerts
    : {
        appends: alerts.map(raisedAppend),
        jobs: slackConfigured ? alerts.map((alert) => deliverAlertJob(alert.alertId)) : []
      }

export const AlertingLive = Layer.effect(
  Alerting,
  Effect.gen(function* () {
    const config = yield* ConfigState
    return Alerting.of({
      raise: Effect.fn("Alerts.raise")(function* (input: AlertInput) {
        const snapshot = yield* config.current
        // A source several brands share (a company map) names no one company before an order exists.
        const companyOf = (id: string) => {
          const company = snapshot.sources.get(id)?.company
          return typeof company === "string" ? company : undefined
        }
        const alerts = alertsFor(input, snapshot.partners, companyOf)
        if (alerts.length > 0) yield* Effect.annotateCurrentSpan("alerts", alerts.map((a) => a.alertId).join(","))
        return alertOutput(alerts, snapshot.alerts?.slack !== undefined)
      })
    })
  })
)
