// Orders that are never conversions: test orders and re-shipped replacements. Each rule returns the
// reason and a detail naming what matched, recorded as OrderIgnored so an auditor sees why an order
// was not sent. Details name the rule, never the customer's email or IP (those stay in the snapshot).
import type { Source } from "../events/configSchema.js"
import { text } from "../lib/compact.js"
import { globMatch } from "../lib/glob.js"
import type { Attributes, IgnoreReason } from "./outcome.js"

export interface Ignore {
  readonly reason: IgnoreReason
  readonly detail: string
}

export interface TestOrderInput {
  readonly platformTest?: string | undefined
  readonly email?: string | undefined
  readonly tags: ReadonlyArray<string>
  readonly clientIp?: string | undefined
}

export const testOrder = (input: TestOrderInput, rules: Source["testOrders"]): Ignore | undefined => {
  if (input.platformTest !== undefined)
    return { reason: "test_order", detail: `platform test flag (${input.platformTest})` }
  const email = input.email
  const byEmail = email === undefined ? undefined : rules?.emails?.find((p) => globMatch(p, email))
  if (byEmail !== undefined) return { reason: "test_order", detail: `testOrders.emails "${byEmail}" matched the email` }
  for (const pattern of rules?.tags ?? []) {
    const tag = input.tags.find((t) => globMatch(pattern, t))
    if (tag !== undefined) return { reason: "test_order", detail: `testOrders.tags "${pattern}" matched tag "${tag}"` }
  }
  const ip = input.clientIp
  const byIp = ip === undefined ? undefined : rules?.ips?.find((p) => globMatch(p, ip))
  if (byIp !== undefined) return { reason: "test_order", detail: `testOrders.ips "${byIp}" matched the client IP` }
  return undefined
}

export const DEFAULT_RESHIPMENT_TAGS: ReadonlyArray<string> = ["reexpedition", "re-expedition", "reship", "reshipment"]
export const DEFAULT_RESHIPMENT_ATTRIBUTES: ReadonlyArray<string> = [
  "reshipment",
  "reexpedition",
  "re-expedition",
  "reship"
]
/** Attributes through which a replacement names the order it replaces. */
export const ORIGINAL_ORDER_KEYS: ReadonlyArray<string> = [
  "original_order",
  "original_order_id",
  "_original_order",
  "reshipment_of",
  "reexpedition_of",
  "replacement_for"
]

const FALSY = new Set(["false", "0", "no", "off"])

export interface ReshipmentInput {
  readonly tags: ReadonlyArray<string>
  readonly attributes: Attributes
  readonly valueMinor: number
}

export const reshipment = (input: ReshipmentInput, rules: Source["reshipments"]): Ignore | undefined => {
  for (const pattern of rules?.tags ?? DEFAULT_RESHIPMENT_TAGS) {
    const tag = input.tags.find((t) => globMatch(pattern, t))
    if (tag !== undefined) return { reason: "reshipment", detail: `reshipment tag "${tag}" (pattern "${pattern}")` }
  }
  const names = rules?.noteAttributes ?? DEFAULT_RESHIPMENT_ATTRIBUTES
  for (const [key, raw] of input.attributes) {
    const value = text(raw)
    if (value === undefined || FALSY.has(value.toLowerCase())) continue
    if (names.some((name) => name.toLowerCase() === key.toLowerCase())) {
      return { reason: "reshipment", detail: `reshipment attribute "${key}"` }
    }
  }
  if (input.valueMinor === 0) {
    for (const [key, raw] of input.attributes) {
      const value = text(raw)
      if (value !== undefined && ORIGINAL_ORDER_KEYS.includes(key)) {
        return { reason: "reshipment", detail: `zero-value order replacing order "${value}" (attribute "${key}")` }
      }
    }
  }
  return undefined
}
