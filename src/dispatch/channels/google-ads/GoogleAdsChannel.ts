// Google Ads adapter (`channel: google-ads`), two APIs behind one channel:
//   api: data-manager (default): POST {GOOGLE_DATA_MANAGER_URL}/v1/events:ingest, OAuth2 token from
//     {GOOGLE_OAUTH_TOKEN_URL}, cached inside this adapter instance (see oauth.ts).
//   api: ads-api: UploadClickConversions / UploadConversionAdjustments through google-ads-api.
// A batch: Data Manager events go out up to 2,000 per request, a refused request split until the
// refused event is alone (data-manager/send.ts); ads-api rows go out up to 2,000 per call, one call
// per target and rpc, with partial_failure mapped back to each row by its index (ads-api/send.ts).
// Consumes: a paid order (conversion), or a refund of a sent one (retraction / restatement).
// Emits: one click conversion keyed by the platform order id, with exactly one click id, hashed
//   email/phone when ad_user_data allows, and consent.
// Fails: ChannelError; TooRecent (retryAt = click + 6 h) while the click is younger than Google's
//   6 hours; duplicates of an order Google already has count as Delivered with alreadyRecorded.
import { Effect } from "effect"
import type { GoogleAdsTarget } from "../../../events/configSchema.js"
import { type ChannelAdapter, type DispatchInput, type ItemOutcome, singleSend } from "../../Channel.js"
import { type AdsApiOptions, sendAdsApiBatch } from "./ads-api/send.js"
import { sendDataManagerBatch } from "./data-manager/send.js"
import { makeGoogleTokens } from "./oauth.js"

export type GoogleAdsChannelOptions = AdsApiOptions

/**
 * Builds the adapter with its own token cache. Build it once per process (e.g. in the registry's
 * Layer) so every dispatch shares the cache.
 */
export const makeGoogleAdsChannel = (
  options: GoogleAdsChannelOptions = {}
): Effect.Effect<ChannelAdapter<GoogleAdsTarget>> =>
  Effect.gen(function* () {
    const tokens = yield* makeGoogleTokens
    const sendBatch = Effect.fn("GoogleAds.sendBatch")(function* (
      inputs: ReadonlyArray<DispatchInput<GoogleAdsTarget>>
    ) {
      const adsApi = inputs.flatMap((input, index) => (input.target.api === "ads-api" ? [{ input, index }] : []))
      const dataManager = inputs.flatMap((input, index) => (input.target.api === "ads-api" ? [] : [{ input, index }]))
      const outcomes: Array<ItemOutcome> = new Array(inputs.length)
      const [ads, dm] = yield* Effect.all(
        [
          sendAdsApiBatch(
            adsApi.map(({ input }) => input),
            options
          ),
          sendDataManagerBatch(
            dataManager.map(({ input }) => input),
            tokens
          )
        ],
        { concurrency: 2 }
      )
      adsApi.forEach(({ index }, i) => {
        outcomes[index] = ads[i] as ItemOutcome
      })
      dataManager.forEach(({ index }, i) => {
        outcomes[index] = dm[i] as ItemOutcome
      })
      return outcomes
    })
    return {
      channel: "google-ads",
      // ads-api sends RETRACTION; data-manager, which cannot retract, restates the value to 0.
      supports: ["conversion", "retraction", "restatement"],
      // One conversion per order id and action, for good: the Ads API answers a resend with
      // ORDER_ID_ALREADY_IN_USE (delivered), the Data Manager API treats a repeated transaction id as
      // a restatement of the same values; a repeated adjustment restates the same value again.
      deduplicates: { withinMs: Number.POSITIVE_INFINITY },
      send: singleSend(sendBatch),
      sendBatch
    }
  })
