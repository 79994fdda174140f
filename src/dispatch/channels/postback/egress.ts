// The egress guard for postback URLs. Admin-configured URLs are trusted config, but a typo or a
// hostile DNS answer must not reach the cloud metadata service, so link-local and metadata addresses
// are refused always; with S2S_EGRESS_BLOCK_PRIVATE=true loopback, private and reserved ones too.
//
// Literal IPs are judged directly (Node never calls a lookup hook for them). Hostnames are resolved
// once, every answer is judged, and the connection is then pinned to those vetted addresses through
// the agent's lookup, so a second, different DNS answer (rebinding) can never be used.
import { lookup as dnsLookup, type LookupAddress } from "node:dns"
import type { LookupFunction } from "node:net"
import { Config, Effect } from "effect"
import { Agent } from "undici"
import { type AddressClass, classifyAddress, isRefused } from "./addresses.js"

/** Hostnames of metadata services that must not depend on what they resolve to. */
export const METADATA_HOSTNAMES: ReadonlySet<string> = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal"
])

export const blockPrivateEgress: Effect.Effect<boolean> = Config.boolean("S2S_EGRESS_BLOCK_PRIVATE").pipe(
  Config.withDefault(false),
  // A value that is not a boolean is a misconfiguration: fail closed.
  Effect.orElseSucceed(() => true)
)

export type Destination =
  | { readonly _tag: "Allowed"; readonly addresses: ReadonlyArray<LookupAddress> }
  | { readonly _tag: "Refused"; readonly detail: string }
  | { readonly _tag: "Unresolved"; readonly detail: string }

const hostOf = (url: URL) => url.hostname.replace(/\.$/, "").toLowerCase()

const describe = (host: string, address: string, cls: AddressClass) =>
  host === address || host === `[${address}]`
    ? `destination ${host} is a ${cls} address`
    : `destination ${host} resolves to ${address}, a ${cls} address`

/** The refusal for a URL decidable without DNS (literal IPs, metadata names), else undefined. */
export const literalRefusal = (url: URL, blockPrivate: boolean): string | undefined => {
  const host = hostOf(url)
  if (METADATA_HOSTNAMES.has(host)) return `destination ${host} is a cloud metadata service`
  const cls = classifyAddress(host)
  return cls !== undefined && isRefused(cls, blockPrivate) ? describe(host, host, cls) : undefined
}

export type Resolve = (host: string) => Promise<ReadonlyArray<LookupAddress>>

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)))
  )

export const checkDestination = (
  url: URL,
  blockPrivate: boolean,
  resolve: Resolve = systemResolve
): Effect.Effect<Destination> => {
  const refused = literalRefusal(url, blockPrivate)
  if (refused !== undefined) return Effect.succeed({ _tag: "Refused", detail: refused })
  const host = hostOf(url)
  const literal = host.startsWith("[") ? host.slice(1, -1) : host
  if (classifyAddress(host) !== undefined) {
    return Effect.succeed({ _tag: "Allowed", addresses: [{ address: literal, family: literal.includes(":") ? 6 : 4 }] })
  }
  return Effect.tryPromise(() => resolve(host)).pipe(
    Effect.map((addresses): Destination => {
      for (const { address } of addresses) {
        const cls = classifyAddress(address) ?? "reserved"
        if (isRefused(cls, blockPrivate)) return { _tag: "Refused", detail: describe(host, address, cls) }
      }
      return addresses.length === 0
        ? { _tag: "Unresolved", detail: `${host} has no addresses` }
        : { _tag: "Allowed", addresses }
    }),
    Effect.catchAll((error) => {
      const e = error.error as { code?: string; message?: string } | undefined
      return Effect.succeed<Destination>({
        _tag: "Unresolved",
        detail: `cannot resolve ${host}: ${e?.code ?? e?.message ?? "lookup failed"}`
      })
    })
  )
}

/** A lookup that only ever answers with the vetted addresses. */
export const pinnedLookup =
  (addresses: ReadonlyArray<LookupAddress>): LookupFunction =>
  (hostname, options, callback) => {
    const usable = addresses.filter((a) => !options.family || a.family === options.family)
    const first = usable[0]
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error(
        `no vetted ${options.family ? `IPv${options.family} ` : ""}address for ${hostname}`
      )
      error.code = "ENOTFOUND"
      callback(error, "", 4)
    } else if (options.all) {
      ;(callback as unknown as (e: null, all: ReadonlyArray<LookupAddress>) => void)(null, usable)
    } else callback(null, first.address, first.family)
  }

/** An HTTP agent pinned to the vetted addresses; destroyed when the call is done. */
export const pinnedAgent = (addresses: ReadonlyArray<LookupAddress>) =>
  Effect.acquireRelease(
    Effect.sync(() => new Agent({ connect: { lookup: pinnedLookup(addresses) } })),
    (agent) => Effect.promise(() => agent.destroy().catch(() => undefined))
  )

const AGENT_IDLE_MS = 60_000
/**
 * A partner that cannot be reached fails as a connect timeout (nothing was sent: retried as usual)
 * rather than as the whole call's timeout, which cannot tell whether the request got out and so
 * makes the postback's outcome unknown (held under onAmbiguous: hold).
 */
const CONNECT_TIMEOUT_MS = 5_000
const agents = new Map<string, { readonly agent: Agent; lastUsed: number }>()

/**
 * A pinned agent shared by every call to the same vetted addresses, so postbacks to a partner reuse
 * their connections (and TLS sessions) instead of a handshake per conversion. The key is the address
 * set itself: a DNS answer that changes gets a new agent, pinned to the new, re-vetted addresses.
 */
export const sharedPinnedAgent = (addresses: ReadonlyArray<LookupAddress>): Agent => {
  const now = Date.now()
  for (const [key, entry] of agents) {
    if (now - entry.lastUsed > AGENT_IDLE_MS) {
      agents.delete(key)
      void entry.agent.close().catch(() => undefined)
    }
  }
  const key = addresses
    .map((a) => `${a.family}/${a.address}`)
    .sort()
    .join(",")
  const existing = agents.get(key)
  if (existing) {
    existing.lastUsed = now
    return existing.agent
  }
  const agent = new Agent({
    connect: { lookup: pinnedLookup(addresses), timeout: CONNECT_TIMEOUT_MS },
    keepAliveTimeout: 30_000
  })
  agents.set(key, { agent, lastUsed: now })
  return agent
}
