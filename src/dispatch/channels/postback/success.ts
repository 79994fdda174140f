// When a postback counts as delivered, and how a failure is classified for the dispatcher.
//
// success.status: comma-separated classes and codes ("2xx", "200", "2xx,302"); default "2xx".
// success.bodyMatches / bodyNotMatches: regexes over the response body (its first 64 KiB), written
// plain (`success=true`) or as /pattern/flags (`/success\s*=\s*false/i`). TUNE answers HTTP 200 with
// `success=false; err_msg=...;` when it rejects a conversion: with bodyNotMatches that is a permanent
// rejection, not a delivery.
import { Either } from "effect"
import type { PostbackTarget } from "../../../events/configSchema.js"
import type { FailureReason } from "../../../events/dispatch.js"
import { classifyStatus } from "../../http.js"

export interface SuccessRule {
  readonly status: (status: number) => boolean
  readonly statusText: string
  readonly bodyMatches?: RegExp | undefined
  readonly bodyNotMatches?: RegExp | undefined
}

const BODY_WINDOW = 64 * 1024

export const parseStatusSpec = (spec: string): ((status: number) => boolean) | string => {
  const items = spec.split(",").map((s) => s.trim().toLowerCase())
  const bad = items.filter((s) => !/^[1-5](xx|\d\d)$/.test(s))
  if (bad.length > 0)
    return `success.status: ${bad.map((b) => JSON.stringify(b)).join(", ")} is not a status class (2xx) or code (200)`
  return (status) =>
    items.some((item) => (item.endsWith("xx") ? Math.floor(status / 100) === Number(item[0]) : status === Number(item)))
}

export const parseRegex = (text: string): RegExp | string => {
  const literal = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text)
  try {
    // g and y make test() stateful across calls; a success rule must give the same answer every time.
    return literal ? new RegExp(literal[1] ?? "", (literal[2] ?? "").replace(/[gy]/g, "")) : new RegExp(text)
  } catch (error) {
    return (error as Error).message
  }
}

/** The target's success rule, or the problems that make it unusable. */
export const successRule = (success: PostbackTarget["success"]): Either.Either<SuccessRule, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const statusText = success?.status ?? "2xx"
  const status = parseStatusSpec(statusText)
  if (typeof status === "string") problems.push(status)
  const regex = (field: "bodyMatches" | "bodyNotMatches") => {
    const text = success?.[field]
    if (text === undefined) return undefined
    const parsed = parseRegex(text)
    if (typeof parsed === "string") problems.push(`success.${field}: invalid regular expression: ${parsed}`)
    return typeof parsed === "string" ? undefined : parsed
  }
  const bodyMatches = regex("bodyMatches")
  const bodyNotMatches = regex("bodyNotMatches")
  if (problems.length > 0 || typeof status === "string") return Either.left(problems)
  return Either.right({ status, statusText, bodyMatches, bodyNotMatches })
}

export type Verdict =
  | { readonly _tag: "Delivered"; readonly detail: string }
  | { readonly _tag: "Failed"; readonly reason: FailureReason; readonly retryable: boolean; readonly detail: string }

/** The response body as it may appear in a message: whitespace collapsed, cut at 200 characters. */
export const snippet = (body: string): string => {
  const flat = body.replace(/\s+/g, " ").trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat
}

const quoted = (body: string) => (body.trim() === "" ? "empty body" : JSON.stringify(snippet(body)))

const failed = (reason: FailureReason, retryable: boolean, detail: string): Verdict => ({
  _tag: "Failed",
  reason,
  retryable,
  detail
})

export const judge = (rule: SuccessRule, status: number, body: string): Verdict => {
  if (rule.status(status)) {
    const window = body.slice(0, BODY_WINDOW)
    const bad = rule.bodyNotMatches?.exec(window)
    if (bad)
      return failed(
        "Rejected",
        false,
        `response matched bodyNotMatches ${rule.bodyNotMatches}: ${JSON.stringify(snippet(bad[0]))} in ${quoted(body)}`
      )
    if (rule.bodyMatches && !rule.bodyMatches.test(window)) {
      return failed("Rejected", false, `response did not match bodyMatches ${rule.bodyMatches}: ${quoted(body)}`)
    }
    return { _tag: "Delivered", detail: `HTTP ${status}: ${quoted(body)}` }
  }
  const says = `HTTP ${status}: ${quoted(body)}`
  if (status >= 300 && status < 400) return failed("Rejected", false, `${says} (redirects are not followed)`)
  // Error statuses mean what they mean for every channel (http.ts): 400 / 422 are InvalidPayload.
  const byStatus = status >= 400 ? classifyStatus(status) : undefined
  if (byStatus) return failed(byStatus.reason, byStatus.retryable, says)
  return failed("Rejected", false, `${says} (not ${rule.statusText})`)
}
