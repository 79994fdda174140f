// The contract between normalize.ts and the per-platform parsers: a pure function from one decoded
// JSON body (plus topic and headers) to a Draft, a Skip for topics that say nothing about an order,
// or a PayloadProblem naming the field that is wrong.
import { Either } from "effect"
import type { Source } from "../events/configSchema.js"
import type { Attributes, ParserResult } from "./outcome.js"
import type { Parsed } from "./payload.js"

export interface ParserInput {
  readonly topic: string | undefined
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
  readonly receivedAt: string
  readonly source: Source
}

export type Parser = (input: ParserInput) => Parsed<ParserResult>

export const skip = (reason: string): Parsed<ParserResult> => Either.right({ _tag: "Skipped", reason })

/** Scalar values of a JSON object as attributes (nested objects and arrays are not tracking values). */
export const recordAttributes = (record: Readonly<Record<string, unknown>> | null | undefined): Attributes => {
  const out: Array<readonly [string, string]> = []
  for (const [key, value] of Object.entries(record ?? {})) {
    if (typeof value === "string") out.push([key, value])
    else if (typeof value === "number" || typeof value === "boolean") out.push([key, String(value)])
  }
  return out
}

/** "Jenny Rosen" -> Jenny / Rosen; one word is a first name. */
export const splitName = (name: string | null | undefined): { first?: string; last?: string } => {
  const words = (name ?? "")
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "")
  if (words.length === 0) return {}
  if (words.length === 1) return { first: words[0] as string }
  return { first: words[0] as string, last: words.slice(1).join(" ") }
}

/** "vip, Wholesale ,test" -> ["vip", "Wholesale", "test"]. */
export const splitTags = (tags: string | null | undefined): ReadonlyArray<string> =>
  (tags ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "")
