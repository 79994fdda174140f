// Would a re-run change anything? Pure: the webhook's last normalization record against what a dry
// run of the current parsers and configuration finds. A change is new order events, or a different
// verdict (failed -> normalized, another failure reason, another order). A re-run that only repeats
// the verdict is no change, so confirming it appends nothing.
import type { AppEvent } from "../../events/Events.js"
import type { NormalizeResult } from "../../normalize/NormalizeJob.js"
import { stableJson } from "../../normalize/stableJson.js"

type Verdict =
  | { readonly kind: "none" }
  | { readonly kind: "failed"; readonly reason: string; readonly path?: string | undefined }
  | { readonly kind: "skipped"; readonly detail: string }
  | { readonly kind: "normalized"; readonly orderKey: string | undefined }

const recorded = (last: AppEvent | undefined): Verdict => {
  if (last?._tag === "NormalizationFailed") return { kind: "failed", reason: last.reason, path: last.path }
  if (last?._tag === "WebhookNormalized")
    return last.outcome === "skipped"
      ? { kind: "skipped", detail: last.detail ?? "" }
      : { kind: "normalized", orderKey: last.orderKey }
  return { kind: "none" }
}

const found = (result: NormalizeResult): Verdict => {
  const outcome = result.outcome
  switch (outcome._tag) {
    case "Failed":
      return { kind: "failed", reason: outcome.reason, path: outcome.path }
    case "Skipped":
      return { kind: "skipped", detail: outcome.reason }
    case "Observed":
      return { kind: "normalized", orderKey: outcome.orderKey }
  }
}

export const describeRecord = (last: AppEvent | undefined): string => {
  if (last?._tag === "NormalizationFailed") return `failed: ${last.reason}`
  if (last?._tag === "WebhookNormalized")
    return last.outcome === "skipped"
      ? `skipped: ${last.detail ?? ""}`
      : `${last.outcome}: order ${last.orderKey ?? "?"}${last.eventTypes.length > 0 ? ` (${last.eventTypes.join(", ")})` : ""}`
  return "not normalized yet"
}

/** "DispatchPlanned (awin, meta-acme)": event types, with the targets a plan names. */
export const describeEvents = (events: ReadonlyArray<AppEvent>): ReadonlyArray<string> =>
  events.map((e) =>
    e._tag === "DispatchPlanned"
      ? `DispatchPlanned (${e.targets.length === 0 ? "no targets" : e.targets.map((t) => t.targetId).join(", ")})`
      : e._tag
  )

const describeResult = (result: NormalizeResult): string => {
  const outcome = result.outcome
  switch (outcome._tag) {
    case "Failed":
      return `failed: ${outcome.reason}`
    case "Skipped":
      return `skipped: ${outcome.reason}`
    case "Observed":
      return result.orderEvents.length === 0
        ? `order ${outcome.orderKey}: nothing new`
        : `order ${outcome.orderKey}: ${describeEvents(result.orderEvents).join(", ")}`
  }
}

export interface Comparison {
  readonly before: string
  readonly after: string
  readonly changes: boolean
  readonly orderKey?: string | undefined
  readonly orderEvents: ReadonlyArray<string>
}

export const compareRun = (last: AppEvent | undefined, result: NormalizeResult): Comparison => ({
  before: describeRecord(last),
  after: describeResult(result),
  changes: result.orderEvents.length > 0 || stableJson(recorded(last)) !== stableJson(found(result)),
  orderKey: result.outcome._tag === "Observed" ? result.outcome.orderKey : undefined,
  orderEvents: describeEvents(result.orderEvents)
})
