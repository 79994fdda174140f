// The exact request a postback would send for (target, order, kind, time): pure, so redispatch dry
// runs can list it. Secrets appear as "[redacted]" unless their values are passed in (the adapter
// does, after resolving them through Secrets).

import type { CanonicalOrder } from "../../../events/CanonicalOrder.js"
import type { PostbackTarget } from "../../../events/configSchema.js"
import type { DispatchKind } from "../../../events/dispatch.js"
import type { SkipReason } from "../../Channel.js"
import { REDACTED } from "../../http.js"
import { resolveClickId } from "./clickId.js"
import { placeUrl } from "./placement.js"
import { type Encoding, placeholders, secretName, substitute } from "./template.js"
import { isVariable, type PostbackContext, variableValue } from "./variables.js"

export type Method = "GET" | "POST"

export interface PostbackRequest {
  readonly _tag: "Request"
  readonly method: Method
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
  /** Header names whose values are secrets (recorded redacted). */
  readonly secretHeaders: ReadonlyArray<string>
  /** What was adapted to fit (a shortened {items}), for the dispatch's record. */
  readonly notes?: ReadonlyArray<string> | undefined
}

export type PostbackPlan =
  | PostbackRequest
  | { readonly _tag: "Skip"; readonly reason: SkipReason; readonly detail: string }
  /** The target cannot produce a request (should have been caught by validatePostbackTarget). */
  | { readonly _tag: "Invalid"; readonly detail: string }
  /** The order's values cannot be placed in the URL without changing where it goes (placement.ts). */
  | { readonly _tag: "Unplaceable"; readonly detail: string }

export interface PostbackTemplate {
  readonly method: Method
  readonly url: string
  readonly body?: string | undefined
}

/** The template for a kind, or why the kind is not sent. */
export const templateFor = (target: PostbackTarget, kind: DispatchKind): PostbackTemplate | string => {
  if (kind === "conversion") return { method: target.method, url: target.url, body: target.body }
  if (kind === "status_change") {
    const sc = target.statusChange
    if (sc === undefined) return `target ${target.id} has no statusChange template`
    return { method: sc.method ?? target.method, url: sc.url, body: sc.body }
  }
  return `postback targets do not send ${kind} adjustments`
}

/** json when the body template looks like JSON and no format is given, else form. */
export const bodyFormat = (target: PostbackTarget, body: string): "form" | "json" =>
  target.bodyFormat ?? (/^\s*[[{]/.test(body) ? "json" : "form")

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/

/** The env names of header values written as `env:NAME`. */
export const secretHeaderNames = (target: PostbackTarget): ReadonlyMap<string, string> =>
  new Map(
    Object.entries(target.headers ?? {}).flatMap(([header, value]) => {
      const name = ENV_REF.exec(value.trim())?.[1]
      return name === undefined ? [] : [[header, name] as const]
    })
  )

/** Every secret a (target, kind) needs: header refs and `{env:NAME}` placeholders. */
export const secretsNeeded = (target: PostbackTarget, kind: DispatchKind): ReadonlyArray<string> => {
  const template = templateFor(target, kind)
  const inTemplates =
    typeof template === "string"
      ? []
      : [template.url, template.body ?? ""].flatMap((t) => placeholders(t).flatMap((p) => secretName(p.name) ?? []))
  return [...new Set([...secretHeaderNames(target).values(), ...inTemplates])]
}

const usesClickId = (template: PostbackTemplate) =>
  [template.url, template.body ?? ""].some((t) => placeholders(t).some((p) => p.name === "click_id"))

export const renderPostback = (
  target: PostbackTarget,
  order: CanonicalOrder,
  kind: DispatchKind,
  now: Date,
  secrets: ReadonlyMap<string, string> = new Map()
): PostbackPlan => {
  const template = templateFor(target, kind)
  if (typeof template === "string") return { _tag: "Skip", reason: "unsupported", detail: template }
  const clickId = resolveClickId(order, target.clickId)
  if (clickId.value === undefined && usesClickId(template)) {
    const looked = clickId.key === undefined ? "no affiliate click id at all" : `no ${clickId.key}`
    return { _tag: "Skip", reason: "missing_identifiers", detail: `{click_id} is required, the order has ${looked}` }
  }
  const ctx: PostbackContext = { order, kind, now, clickId: clickId.value }
  const lookup = (name: string) => {
    const secret = secretName(name)
    if (secret !== undefined) return secrets.get(secret) ?? REDACTED
    return isVariable(name) ? variableValue(name, ctx) : undefined
  }
  const render = (text: string, encoding: Encoding, where: string) => {
    const out = substitute(text, encoding, lookup)
    return out.unknown.length === 0
      ? out.text
      : { problem: `${where}: unknown variable ${out.unknown.map((u) => `{${u}}`).join(", ")}` }
  }

  const placed = placeUrl(template.url, lookup)
  if (placed._tag === "Unknown")
    return { _tag: "Invalid", detail: `url: unknown variable ${placed.names.map((u) => `{${u}}`).join(", ")}` }
  if (placed._tag === "Unsafe") return { _tag: "Unplaceable", detail: `not sent: ${placed.detail}` }
  const url = placed.url
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme")
  } catch {
    return { _tag: "Invalid", detail: `url does not render to an http(s) URL: ${template.url}` }
  }
  const notes =
    placed.truncatedItems === undefined
      ? undefined
      : [
          `{items} shortened to fit the URL: the last ${placed.truncatedItems} item(s) left out, marked +${placed.truncatedItems}`
        ]

  const headers: Record<string, string> = {}
  const secretHeaders = secretHeaderNames(target)
  for (const [name, value] of Object.entries(target.headers ?? {})) {
    const secret = secretHeaders.get(name)
    headers[name] = secret === undefined ? value : (secrets.get(secret) ?? REDACTED)
  }
  const extra = notes === undefined ? {} : { notes }
  if (template.body === undefined)
    return {
      _tag: "Request",
      method: template.method,
      url,
      headers,
      secretHeaders: [...secretHeaders.keys()],
      ...extra
    }
  if (template.method === "GET") return { _tag: "Invalid", detail: "a GET postback cannot send a body template" }

  const format = bodyFormat(target, template.body)
  const body = render(template.body, format === "json" ? "json" : "url", "body")
  if (typeof body !== "string") return { _tag: "Invalid", detail: body.problem }
  if (format === "json") {
    try {
      JSON.parse(body)
    } catch {
      return { _tag: "Invalid", detail: "body template does not render to valid JSON (quote string placeholders)" }
    }
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["Content-Type"] = format === "json" ? "application/json" : "application/x-www-form-urlencoded"
  }
  return {
    _tag: "Request",
    method: template.method,
    url,
    headers,
    body,
    secretHeaders: [...secretHeaders.keys()],
    ...extra
  }
}
