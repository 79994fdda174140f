// Config-time checks of a postback target, run by the config loader before anything is applied: an
// unknown variable, a template in the host, a broken regex is a config error the operator sees at
// `s2s config apply`, never a dispatch failure at 3 a.m.
import { Either } from "effect"
import type { PostbackTarget } from "../../../events/configSchema.js"
import { literalRefusal } from "./egress.js"
import { bodyFormat } from "./render.js"
import { successRule } from "./success.js"
import { authorityEnd, type Encoding, placeholders, secretName, substitute } from "./template.js"
import { isVariable, VARIABLE_NAMES, VARIABLES } from "./variables.js"

/** Levenshtein distance, for "did you mean" hints. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (row[j - 1] ?? 0) + 1,
        (previous[j] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = row
  }
  return previous[b.length] ?? 0
}

const unknownVariable = (where: string, name: string): string => {
  const lower = name.toLowerCase().replace(/-/g, "_")
  const close = VARIABLE_NAMES.map((v) => [v, distance(lower, v)] as const)
    .filter(([v, d]) => d <= 2 || v === lower)
    .sort((x, y) => x[1] - y[1])[0]
  const hint = close === undefined ? ` (known: ${VARIABLE_NAMES.join(", ")})` : ` (did you mean {${close[0]}}?)`
  return name.startsWith("env:")
    ? `${where}: {${name}} is not a valid secret reference (env:NAME, letters, digits and _)`
    : `${where}: unknown variable {${name}}${hint}`
}

// Sample values: numbers where a variable is always numeric, so `"amount": {amount}` parses as JSON.
const sample = (name: string) =>
  isVariable(name) ? (VARIABLES[name].numeric ? "1" : "x") : secretName(name) ? "x" : undefined

const checkVariables = (where: string, template: string): Array<string> =>
  placeholders(template)
    .filter((p) => !isVariable(p.name) && secretName(p.name) === undefined)
    .map((p) => unknownVariable(where, p.name))

const checkUrl = (where: string, template: string): Array<string> => {
  const end = authorityEnd(template)
  if (end === undefined) return [`${where}: must start with http:// or https://`]
  const problems = checkVariables(where, template)
  if (placeholders(template).some((p) => p.start < end)) {
    problems.push(`${where}: variables are not allowed in the scheme, host or port (only in the path, query and body)`)
  }
  let url: URL
  try {
    url = new URL(substitute(template, "url", (name) => sample(name) ?? "").text)
  } catch {
    return [...problems, `${where}: not a valid URL`]
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") problems.push(`${where}: the scheme must be http or https`)
  if (url.username !== "" || url.password !== "") {
    problems.push(`${where}: credentials in the URL would be logged; use headers with env:NAME references`)
  }
  const refused = literalRefusal(url, false)
  if (refused !== undefined) problems.push(`${where}: ${refused}, which postbacks never reach`)
  return problems
}

const checkBody = (where: string, body: string, format: "form" | "json"): Array<string> => {
  const problems = checkVariables(where, body)
  if (format === "json" && problems.length === 0) {
    const encoding: Encoding = "json"
    try {
      JSON.parse(substitute(body, encoding, (name) => sample(name) ?? "").text)
    } catch {
      problems.push(`${where}: not valid JSON once filled in (put quotes around string placeholders: "{click_id}")`)
    }
  }
  return problems
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const checkHeaders = (headers: Readonly<Record<string, string>>): Array<string> =>
  Object.entries(headers).flatMap(([name, value]) => {
    const problems: Array<string> = []
    if (!HEADER_NAME.test(name)) problems.push(`headers: ${JSON.stringify(name)} is not a valid header name`)
    if (/[\r\n\0]/.test(value)) problems.push(`headers.${name}: line breaks are not allowed`)
    if (placeholders(value).length > 0) {
      problems.push(`headers.${name}: header values are static, {...} is not substituted (secrets: env:NAME)`)
    }
    if (value.trim().startsWith("env:") && !/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value.trim())) {
      problems.push(`headers.${name}: secret references look like env:NAME (letters, digits and _)`)
    }
    return problems
  })

/** Every problem of a postback target; empty when it is usable. */
export const validatePostbackTarget = (target: PostbackTarget): ReadonlyArray<string> => {
  const problems = [...checkUrl("url", target.url)]
  if (target.body !== undefined) {
    if (target.method === "GET") problems.push("body: a GET postback cannot send a body (use method: POST)")
    problems.push(...checkBody("body", target.body, bodyFormat(target, target.body)))
  }
  const sc = target.statusChange
  if (sc !== undefined) {
    problems.push(...checkUrl("statusChange.url", sc.url))
    if (sc.body !== undefined) {
      if ((sc.method ?? target.method) === "GET") problems.push("statusChange.body: a GET postback cannot send a body")
      problems.push(...checkBody("statusChange.body", sc.body, bodyFormat(target, sc.body)))
    }
  }
  problems.push(...checkHeaders(target.headers ?? {}))
  const success = successRule(target.success)
  if (Either.isLeft(success)) problems.push(...success.left)
  if (target.clickId !== undefined && !/^[A-Za-z0-9_.-]+$/.test(target.clickId)) {
    problems.push(`clickId: ${JSON.stringify(target.clickId)} is not a click id key (e.g. awc, irclickid)`)
  }
  return problems
}
