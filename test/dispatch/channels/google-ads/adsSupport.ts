// Runs the ads-api path through google-ads-api with its onServiceStart hook standing in for Google.
import { Effect } from "effect"
import * as lib from "google-ads-api"
import type { DispatchInput } from "../../../../src/dispatch/Channel.js"
import type { GoogleAdsTarget } from "../../../../src/events/configSchema.js"
import { withEnv } from "../support/run.js"
import { envFor, sendOnce, target, withGoogle } from "./support.js"

export const adsTarget: GoogleAdsTarget = {
  ...target,
  api: "ads-api",
  loginCustomerId: "5555555555",
  developerToken: "env:GOOGLE_DEV_TOKEN" as GoogleAdsTarget["credentials"],
  timeZone: "Europe/Berlin"
}

/** A partial failure as Google answers it: the GoogleAdsFailure as raw bytes inside a google.rpc.Status. */
export const partialFailureStatus = (failure: InstanceType<typeof lib.errors.GoogleAdsFailure>) => ({
  code: 3,
  message: "partial failure",
  details: [
    {
      type_url: "type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure",
      value: lib.errors.GoogleAdsFailure.encode(failure).finish()
    }
  ]
})

export interface Captured {
  method: string
  credentials: unknown
  request: Record<string, unknown>
}

/** Sends through the library with a hook that captures the request and answers with `reply`. */
export const sendAds = (
  input: DispatchInput<GoogleAdsTarget>,
  reply: () => unknown = () => ({ results: [{ gclid: "x" }], job_id: 7 }),
  env: Record<string, string> = { GOOGLE_DEV_TOKEN: "dev-token-secret" }
) => {
  const captured: Array<Captured> = []
  return sendOnce(input, {}, env, {
    hooks: {
      onServiceStart: ({ method, credentials, requestOptions, cancel }) => {
        captured.push({ method, credentials, request: JSON.parse(JSON.stringify(requestOptions)) })
        cancel(reply())
      }
    }
  }).pipe(Effect.map(({ result, server }) => ({ result, captured, server })))
}

/**
 * A sendBatch through the library: every call's request is captured, and `reply(request, n)` answers
 * the n-th call (or throws, as the call would).
 */
export const sendAdsBatch = (
  inputs: ReadonlyArray<DispatchInput<GoogleAdsTarget>>,
  reply: (request: Record<string, unknown>, n: number) => unknown,
  env: Record<string, string> = { GOOGLE_DEV_TOKEN: "dev-token-secret" }
) => {
  const captured: Array<Captured> = []
  return withGoogle(
    {},
    (channel, server) =>
      channel.sendBatch!(inputs).pipe(
        withEnv(envFor(server, env)),
        Effect.map((outcomes) => ({ outcomes, captured }))
      ),
    {
      hooks: {
        onServiceStart: ({ method, credentials, requestOptions, cancel }) => {
          const request = JSON.parse(JSON.stringify(requestOptions)) as Record<string, unknown>
          captured.push({ method, credentials, request })
          cancel(reply(request, captured.length - 1))
        }
      }
    }
  )
}
