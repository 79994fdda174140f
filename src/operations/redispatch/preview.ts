// What one dispatch would send, decided with the channels' own pure planners, so a dry run shows what
// the dispatcher will really do: the exact postback request (secrets redacted), or for Meta and
// Google the deduplication key that a resend keeps (Meta event_id = order key, Google transaction id
// = platform order id), and the reason a channel would skip or refuse it.
import type { GoogleAdsTarget, MetaTarget, Target } from "../../config/schema.js"
import { conversionFacts, matchData } from "../../dispatch/channels/google-ads/plan.js"
import { buildPurchase } from "../../dispatch/channels/meta/event.js"
import { renderPostback } from "../../dispatch/channels/postback/index.js"
import type { CanonicalOrder } from "../../events/CanonicalOrder.js"
import type { DispatchKind } from "../../events/dispatch.js"
import { majorUnits } from "../../lib/money.js"
import type { RequestPreview } from "../schemas.js"

export type Preview =
  | {
      readonly _tag: "Send"
      readonly summary: string
      readonly dedupKey?: string | undefined
      readonly request?: RequestPreview | undefined
    }
  | { readonly _tag: "Skip"; readonly reason: string }

export interface PreviewInput {
  readonly target: Target
  readonly order: CanonicalOrder
  readonly kind: DispatchKind
  /** Restatement value planned with the dispatch. */
  readonly valueMinor?: number | undefined
  readonly now: Date
}

const money = (amountMinor: number, currency: string) => `${majorUnits(amountMinor, currency)} ${currency}`

const skip = (reason: string): Preview => ({ _tag: "Skip", reason })

const postback = (input: PreviewInput & { readonly target: Extract<Target, { channel: "postback" }> }): Preview => {
  const plan = renderPostback(input.target, input.order, input.kind, input.now)
  if (plan._tag === "Skip") return skip(`the postback would be skipped: ${plan.detail}`)
  if (plan._tag === "Invalid") return skip(`target ${input.target.id} is misconfigured: ${plan.detail}`)
  return {
    _tag: "Send",
    summary: `${plan.method} ${plan.url}`,
    request: {
      method: plan.method,
      url: plan.url,
      headers: plan.headers,
      ...(plan.body === undefined ? {} : { body: plan.body })
    }
  }
}

const meta = (input: PreviewInput & { readonly target: MetaTarget }): Preview => {
  if (input.kind !== "conversion") return skip(`meta-capi does not send ${input.kind} adjustments`)
  const plan = buildPurchase(input.order, input.target, input.now)
  switch (plan._tag) {
    case "Skip":
      return skip(`Meta would not get it: ${plan.detail}`)
    case "Expired":
      return skip(`${plan.detail}: the dispatcher would dead-letter it at once`)
    case "Invalid":
      return skip(plan.detail)
    case "Send":
      return {
        _tag: "Send",
        dedupKey: plan.event.event_id,
        summary:
          `Purchase ${money(input.order.value.amountMinor, input.order.value.currency)} to pixel ${input.target.pixelId}; ` +
          `Meta deduplicates on event_id ${plan.event.event_id}`
      }
  }
}

const google = (input: PreviewInput & { readonly target: GoogleAdsTarget }): Preview => {
  const { target, order, kind } = input
  if (kind === "status_change") return skip("google-ads has no status_change adjustments")
  const facts = conversionFacts({ order, target, kind, valueMinor: input.valueMinor, attempt: 1, now: input.now })
  if (facts._tag !== "Ok") return skip(`Google would not get it: ${facts.detail}`)
  if (kind === "conversion") {
    const match = matchData(order, target)
    if (match._tag !== "Ok") return skip(`Google would not get it: ${match.detail}`)
  }
  const id = facts.value.transactionId
  const what =
    kind === "conversion"
      ? `click conversion ${money(facts.value.valueMinor, facts.value.currency)}`
      : kind === "restatement"
        ? `RESTATEMENT to ${money(facts.value.valueMinor, facts.value.currency)}`
        : target.api === "data-manager"
          ? // The Data Manager API cannot retract: the adapter restates the value to 0.
            `restatement to ${money(0, facts.value.currency)} (Data Manager cannot retract; the conversion still counts once)`
          : "RETRACTION"
  return {
    _tag: "Send",
    dedupKey: id,
    summary:
      `${what} to customer ${target.customerId}, conversion action ${target.conversionActionId} (${target.api}); ` +
      `Google deduplicates on transaction id ${id}`
  }
}

export const previewDispatch = (input: PreviewInput): Preview => {
  const target = input.target
  switch (target.channel) {
    case "postback":
      return postback({ ...input, target })
    case "meta-capi":
      return meta({ ...input, target })
    case "google-ads":
      return google({ ...input, target })
  }
}
