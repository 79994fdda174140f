// Signed, expiring links to an order's read-only page (/console/link?order=K&exp=T&sig=S), for people
// without a token (a marketer following a Slack alert). The signature is HMAC-SHA256 over the order
// key and the expiry (unix seconds) with the console key; it opens that one order, masked, until T.
// CSRF tokens are the same HMAC over the session id, so no extra state is kept for them.
import { createHmac, timingSafeEqual } from "node:crypto"

export const LINK_PATH = "/console/link"

const mac = (key: Uint8Array, parts: ReadonlyArray<string>) =>
  createHmac("sha256", key).update(parts.join("\n")).digest("base64url")

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export const linkSignature = (key: Uint8Array, orderKey: string, expiresAt: number) =>
  mac(key, ["order-link", orderKey, String(expiresAt)])

/** `base`: the public URL without a trailing slash; `expiresAt`: unix seconds. */
export const signedOrderLink = (key: Uint8Array, base: string, orderKey: string, expiresAt: number) =>
  `${base}${LINK_PATH}?${new URLSearchParams({
    order: orderKey,
    exp: String(expiresAt),
    sig: linkSignature(key, orderKey, expiresAt)
  }).toString()}`

export type LinkCheck =
  | { readonly ok: true; readonly orderKey: string; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: "malformed" | "bad_signature" | "expired" }

export const checkOrderLink = (
  key: Uint8Array,
  params: { readonly order?: string | undefined; readonly exp?: string | undefined; readonly sig?: string | undefined },
  now: Date
): LinkCheck => {
  const { order, exp, sig } = params
  if (order === undefined || order === "" || exp === undefined || !/^\d{1,12}$/.test(exp) || sig === undefined)
    return { ok: false, reason: "malformed" }
  const expiresAt = Number(exp)
  // The signature first: an expired link is only reported as such when it is one of ours.
  if (!sameText(sig, linkSignature(key, order, expiresAt))) return { ok: false, reason: "bad_signature" }
  if (expiresAt * 1000 <= now.getTime()) return { ok: false, reason: "expired" }
  return { ok: true, orderKey: order, expiresAt }
}

export const csrfToken = (key: Uint8Array, sessionId: string) => mac(key, ["csrf", sessionId])

export const checkCsrf = (key: Uint8Array, sessionId: string, presented: string | undefined) =>
  presented !== undefined && sameText(presented, csrfToken(key, sessionId))
