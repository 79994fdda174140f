// Why the ads-api adapter builds a GoogleAdsApi / Customer per send and keeps no client cache of its
// own: those are thin wrappers. google-ads-api keeps the gRPC service client (and with it the
// UserRefreshClient that holds the access token) in a process-wide cache keyed by service, client_id
// and refresh_token, for 10 minutes. So sends with one credential share one OAuth refresh, and a new
// refresh token gets a new client. These tests pin that library behaviour: if it changes, the adapter
// needs a cache of its own.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { serviceCache } from "google-ads-api/build/src/service.js"
import { makeOrder } from "../support/orders.js"
import { adsTarget, sendAds } from "./adsSupport.js"
import { CREDENTIALS, dispatch, success } from "./support.js"

const keyOf = (refreshToken: string) => `ConversionUploadServiceClient_${CREDENTIALS.client_id}_${refreshToken}`

describe("Ads API clients", () => {
  it.effect("two sends with one credential use the same gRPC service client (one token refresh)", () =>
    Effect.gen(function* () {
      const refresh = `1//shared-${Math.random().toString(16).slice(2)}`
      const env = {
        GOOGLE_DEV_TOKEN: "dev-token-secret",
        GOOGLE_CREDS: JSON.stringify({ ...CREDENTIALS, refresh_token: refresh })
      }
      success((yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }), undefined, env)).result)
      const client = serviceCache.get(keyOf(refresh))
      expect(client).toBeDefined()
      success((yield* sendAds(dispatch(makeOrder("FR"), { target: adsTarget }), undefined, env)).result)
      expect(serviceCache.get(keyOf(refresh))).toBe(client)
    })
  )

  it.effect("a changed refresh token gets its own client (the cache follows the credential)", () =>
    Effect.gen(function* () {
      const [a, b] = [`1//a-${Math.random().toString(16).slice(2)}`, `1//b-${Math.random().toString(16).slice(2)}`]
      for (const refresh of [a, b]) {
        const env = {
          GOOGLE_DEV_TOKEN: "dev-token-secret",
          GOOGLE_CREDS: JSON.stringify({ ...CREDENTIALS, refresh_token: refresh })
        }
        success((yield* sendAds(dispatch(makeOrder("DE"), { target: adsTarget }), undefined, env)).result)
      }
      const [clientA, clientB] = [serviceCache.get(keyOf(a)), serviceCache.get(keyOf(b))]
      expect(clientA).toBeDefined()
      expect(clientB).toBeDefined()
      expect(clientA).not.toBe(clientB)
    })
  )
})
