// The port through which stages raise alerts: given the events a stage is about to record, the alert
// policy returns the alert events and delivery jobs to record in the same transaction (an alert
// exists exactly when the event that caused it does). Slack delivery happens later, in its own job.
import { Context, Effect, Layer } from "effect"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { PendingAppend } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import type { Job } from "../events/store.js"

export interface AlertInput {
  readonly events: ReadonlyArray<AppEvent>
  readonly order?: CanonicalOrder | undefined
  /** The order became eligible (paid) with these events: time to check its tracking. */
  readonly becameEligible?: boolean | undefined
  readonly now: Date
}

export interface AlertOutput {
  readonly appends: ReadonlyArray<PendingAppend>
  readonly jobs: ReadonlyArray<Job>
}

export class Alerting extends Context.Tag("app/Alerting")<
  Alerting,
  { readonly raise: (input: AlertInput) => Effect.Effect<AlertOutput> }
>() {}

export const noAlerts: AlertOutput = { appends: [], jobs: [] }

/** No alerting (tests of other stages, or no alerts configured). */
export const AlertingNone = Layer.succeed(Alerting, { raise: () => Effect.succeed(noAlerts) })
