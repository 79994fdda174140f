// The address a webhook came from, for the audit record. Behind proxies (S2S_TRUST_PROXY), each proxy
// appends the address it received the request from to X-Forwarded-For; everything to the left of the
// entry our own outermost proxy added was written by the client and proves nothing. So the client is
// the entry `hops` from the right (1: the one the nearest proxy added), never the leftmost.
import { isIP } from "node:net"

export interface ProxyTrust {
  readonly trustProxy: boolean
  /** How many proxies of ours sit in front of the service (S2S_TRUST_PROXY_HOPS). */
  readonly hops: number
}

export const clientAddress = (
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  trust: ProxyTrust
): string | undefined => {
  if (!trust.trustProxy || forwardedFor === undefined) return socketAddress
  const entries = forwardedFor
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")
  // Fewer entries than proxies: the request did not pass through all of them, so none is ours.
  const entry = trust.hops >= 1 ? entries[entries.length - trust.hops] : undefined
  return entry !== undefined && isIP(entry) !== 0 ? entry : socketAddress
}
