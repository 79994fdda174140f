// The console's side of the alerts' OrderLinks port: signed links to /console/link built from
// S2S_PUBLIC_URL (or the alerts' publicUrl), valid for S2S_CONSOLE_LINK_TTL (default 14 days) from
// the moment the message is rendered.
import { Effect, Layer } from "effect"
import { normalizePublicUrl } from "../../alerts/mrkdwn.js"
import { OrderLinks } from "../../lib/orderLinks.js"
import { ConsoleConfig } from "../config.js"
import { ConsoleKey } from "./ConsoleKey.js"
import { signedOrderLink } from "./signedLink.js"

export const OrderLinksLive = Layer.effect(
  OrderLinks,
  Effect.gen(function* () {
    const settings = yield* ConsoleConfig
    const keys = yield* ConsoleKey
    return OrderLinks.of({
      linker: (fallbackPublicUrl) =>
        Effect.gen(function* () {
          const base = settings.publicUrl ?? normalizePublicUrl(fallbackPublicUrl)
          if (base === undefined) return () => undefined
          const key = yield* keys.key
          const expiresAt = Math.floor((Date.now() + settings.linkTtlMs) / 1000)
          return (orderKey: string) => signedOrderLink(key, base, orderKey, expiresAt)
        })
    })
  })
)
