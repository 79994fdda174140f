// The checks stages add to s2s.yaml validation, beyond its schema: run by `config apply`, `config
// check` and at start, and the file-only ones by the console's what-if.
import type { ConfigValidator } from "../config/load.js"
import { validatePostbackEgress } from "../dispatch/channels/postback/egressCheck.js"
import { validatePostbackTarget } from "../dispatch/channels/postback/validate.js"
import { validatePartnerConditions } from "../normalize/partnerKeys.js"

/**
 * The checks of s2s.yaml that read nothing but the file. The console's what-if runs these inside an
 * HTTP request: the egress check waits synchronously on DNS (up to 3 s), which would stall every
 * request of the API process, and a what-if applies nothing that could be refused at send time.
 */
export const fileConfigValidators: ReadonlyArray<ConfigValidator> = [
  (config) =>
    config.targets.flatMap((target, i) =>
      target.channel === "postback"
        ? validatePostbackTarget(target).map((message) => ({ path: ["targets", i], message }))
        : []
    ),
  validatePartnerConditions
]

/** Checks that stages contribute to s2s.yaml validation (run by `config apply` and at start). */
export const configValidators: ReadonlyArray<ConfigValidator> = [
  ...fileConfigValidators,
  // What the egress guard would refuse at send time under this environment's policy (resolves DNS).
  validatePostbackEgress
]
