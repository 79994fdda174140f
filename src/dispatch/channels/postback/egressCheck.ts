// `config apply` (and --check) reports every postback target the egress guard (egress.ts) would
// refuse at send time, under the policy of this environment (S2S_EGRESS_BLOCK_PRIVATE), instead of a
// permanent Configuration failure on the first order. Literal addresses are judged as the guard
// judges them; host names are resolved now, with the system resolver the guard uses, and refused
// when any address they resolve to would be. A name that does not resolve (or not within the
// timeout) is not reported: at send time it is a retryable transport error, not a refusal, and DNS
// may well answer there. (The static checks, a link-local literal or a template in the host, are
// validatePostbackTarget's.)
import { Effect } from "effect"
import type { ConfigProblem } from "../../../config/load.js"
import type { ConfigFile } from "../../../events/configSchema.js"
import { type Resolution, resolveHostsSync } from "../../../lib/resolveSync.js"
import { classifyAddress, isRefused } from "./addresses.js"
import { blockPrivateEgress, literalRefusal } from "./egress.js"

export interface EgressCheckOptions {
  readonly blockPrivate: boolean
  readonly resolve: (hosts: ReadonlyArray<string>) => ReadonlyMap<string, Resolution>
}

const hostOf = (url: URL) => url.hostname.replace(/\.$/, "").toLowerCase()

/** Placeholders are only allowed after the authority, so any sample value shows the destination. */
const destination = (template: string): URL | undefined => {
  try {
    const url = new URL(template.replace(/\{[^{}\s"]+\}/g, "x"))
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined
  } catch {
    return undefined
  }
}

const POLICY = (blockPrivate: boolean) =>
  blockPrivate ? " (S2S_EGRESS_BLOCK_PRIVATE=true)" : " (always refused, whatever S2S_EGRESS_BLOCK_PRIVATE says)"

export const egressProblems = (config: ConfigFile, options: EgressCheckOptions): ReadonlyArray<ConfigProblem> => {
  const urls = config.targets.flatMap((target, i) =>
    target.channel === "postback"
      ? [
          { path: ["targets", i, "url"], template: target.url },
          ...(target.statusChange === undefined
            ? []
            : [{ path: ["targets", i, "statusChange", "url"], template: target.statusChange.url }])
        ]
      : []
  )
  const checked = urls.flatMap(({ path, template }) => {
    const url = destination(template)
    return url === undefined ? [] : [{ path, url, host: hostOf(url) }]
  })
  const names = checked.filter(
    (c) => classifyAddress(c.host) === undefined && literalRefusal(c.url, false) === undefined
  )
  const resolved = options.resolve(names.map((c) => c.host))
  return checked.flatMap(({ path, url, host }): ReadonlyArray<ConfigProblem> => {
    // Already reported by validatePostbackTarget, whatever the policy.
    if (literalRefusal(url, false) !== undefined) return []
    const literal = literalRefusal(url, options.blockPrivate)
    if (literal !== undefined) {
      return [{ path, message: `egress refused at send time: ${literal}${POLICY(options.blockPrivate)}` }]
    }
    const resolution = resolved.get(host)
    if (resolution?._tag !== "Resolved") return []
    for (const { address } of resolution.addresses) {
      const cls = classifyAddress(address) ?? "reserved"
      if (isRefused(cls, options.blockPrivate))
        return [
          {
            path,
            message: `egress refused at send time: ${host} resolves to ${address}, a ${cls} address${POLICY(options.blockPrivate)}`
          }
        ]
    }
    return []
  })
}

/** The validator `config apply` runs: this environment's policy, the system resolver. */
export const validatePostbackEgress = (config: ConfigFile): ReadonlyArray<ConfigProblem> =>
  egressProblems(config, {
    blockPrivate: Effect.runSync(blockPrivateEgress),
    resolve: (hosts) => resolveHostsSync(hosts)
  })
