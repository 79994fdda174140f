// `channel:` in s2s.yaml -> adapter. Adding a channel = one folder + one line here.
import { Effect, Layer } from "effect"
import type { Target } from "../../events/configSchema.js"
import { type ChannelAdapter, Channels } from "../Channel.js"
import { makeGoogleAdsChannel } from "./google-ads/GoogleAdsChannel.js"
import { MetaChannel } from "./meta/MetaChannel.js"
import { PostbackChannel } from "./postback/index.js"

/** Each adapter only ever receives targets of its own channel (the registry is keyed by it). */
const widen = <T extends Target>(adapter: ChannelAdapter<T>): ChannelAdapter => adapter as unknown as ChannelAdapter

export const ChannelsLive = Layer.effect(
  Channels,
  Effect.gen(function* () {
    const google = yield* makeGoogleAdsChannel()
    const adapters: Record<Target["channel"], ChannelAdapter> = {
      "google-ads": widen(google),
      "meta-capi": widen(MetaChannel),
      postback: widen(PostbackChannel)
    }
    return Channels.of({ get: (channel) => adapters[channel] })
  })
)
