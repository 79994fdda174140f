// What load.ts needs to report every problem of an s2s.yaml in one pass: where a path is in the file
// (line and column), the schema's problems reduced to the most precise ones with secrets redacted, and
// the valid part of an invalid file, so cross-entity checks and the stages' validators still run.
import { Either, ParseResult, Schema } from "effect"
import { isMap, isScalar, type LineCounter, type parseDocument } from "yaml"
import { Alerts, type ConfigFile, PartnerRule, ProductMapping, Rule, Source, Target } from "../events/configSchema.js"
import { redactProblem } from "./redact.js"

/** Where a problem is: 1-based line and column (0 when the file has no such node). */
export interface Position {
  readonly line: number
  readonly col: number
}

export interface Located extends Position {
  readonly text: string
}

type Doc = ReturnType<typeof parseDocument>

const keyOf = (node: unknown) => (isScalar(node) ? node.value : node)

/**
 * The position of `path` in the document: its value, or with `atKey` the key itself (an unknown key is
 * pointed at where it is written). A path that does not exist (a missing key) is reported at its parent.
 */
export const locate = (doc: Doc, lines: LineCounter, path: ReadonlyArray<PropertyKey>, atKey: boolean): Position => {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n) as Array<unknown>
    let node: unknown
    if (atKey && n === path.length && n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(prefix.slice(0, -1), true)
      if (isMap(parent)) node = parent.items.find((pair) => keyOf(pair.key) === prefix.at(-1))?.key
    }
    node ??= n === 0 ? doc.contents : doc.getIn(prefix, true)
    const range = (node as { range?: [number, number] } | undefined)?.range
    if (range) {
      const pos = lines.linePos(range[0])
      return { line: pos.line, col: pos.col }
    }
  }
  return { line: 0, col: 0 }
}

const SECTIONS = {
  sources: Source,
  products: ProductMapping,
  partners: PartnerRule,
  targets: Target,
  rules: Rule
} as const
type Section = keyof typeof SECTIONS

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The entries of a file that fails the schema which are valid on their own, so the cross-entity checks
 * and the stages' validators still run over them in the same pass. Problems found on this partial
 * configuration are mapped back to the entries' indices in the file (`remap`). Ids of entries that are
 * invalid still count as defined, so a rule is not also blamed for a target that has a typo elsewhere.
 */
export const partialConfig = (raw: unknown) => {
  const file = isRecord(raw) ? raw : {}
  const indices = {} as Record<Section, Array<number>>
  const valid = {} as Record<Section, Array<unknown>>
  const known = { sources: new Set<string>(), targets: new Set<string>() }
  for (const section of Object.keys(SECTIONS) as Array<Section>) {
    const items = Array.isArray(file[section]) ? (file[section] as Array<unknown>) : []
    const decodeItem = Schema.decodeUnknownEither(SECTIONS[section] as Schema.Schema<unknown, unknown>, {
      onExcessProperty: "error"
    })
    indices[section] = []
    valid[section] = []
    items.forEach((item, i) => {
      if ((section === "sources" || section === "targets") && isRecord(item) && typeof item.id === "string")
        known[section].add(item.id)
      const decoded = decodeItem(item)
      if (Either.isRight(decoded)) {
        indices[section].push(i)
        valid[section].push(decoded.right)
      }
    })
  }
  const alerts = Schema.decodeUnknownEither(Alerts, { onExcessProperty: "error" })(file.alerts)
  const config = {
    ...valid,
    ...(file.alerts !== undefined && Either.isRight(alerts) ? { alerts: alerts.right } : {})
  } as unknown as ConfigFile
  const remap = (path: ReadonlyArray<PropertyKey>): ReadonlyArray<PropertyKey> => {
    const [section, index, ...rest] = path
    if (typeof section !== "string" || !(section in indices) || typeof index !== "number") return path
    return [section, indices[section as Section][index] ?? index, ...rest]
  }
  return { config, remap, known }
}

/** The schema's problems, most precise first: one per path, never the `undefined` member of an optional field. */
export const schemaProblems = (error: ParseResult.ParseError) => {
  const all = ParseResult.ArrayFormatter.formatErrorSync(error)
  // A union (e.g. an optional field: value | undefined) reports each member; keep the most precise
  // issues: those whose path is not a prefix of another issue's path.
  const isPrefix = (a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>) =>
    a.length < b.length && a.every((k, i) => k === b[i])
  const samePath = (a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>) =>
    a.length === b.length && a.every((k, i) => k === b[i])
  // The `undefined` member of an optional field adds nothing to the other member's problem.
  const noise = (issue: (typeof all)[number]) =>
    issue.message.startsWith("Expected undefined,") && all.some((o) => o !== issue && samePath(o.path, issue.path))
  const kept = all.filter((issue) => !noise(issue) && !all.some((other) => isPrefix(issue.path, other.path)))
  const problems = kept.map((issue) => ({
    path: issue.path,
    unknownKey: issue._tag === "Unexpected",
    message:
      issue._tag === "Unexpected"
        ? "unknown key (not part of the s2s.yaml format)"
        : redactProblem(issue.path, issue.message)
  }))
  // A union of literals (kind: shopify | woocommerce | ...) fails once per member: say it once.
  const literal = /^Expected ("[^"]*"|-?\d+|true|false), actual (.+)$/
  return problems.flatMap((p, i) => {
    const match = literal.exec(p.message)
    if (match === null) return [p]
    const group = problems.filter((o) => samePath(o.path, p.path) && literal.exec(o.message)?.[2] === match[2])
    if (group.length < 2) return [p]
    if (problems.findIndex((o) => group.includes(o)) !== i) return []
    const options = group.map((o) => literal.exec(o.message)?.[1]).join(", ")
    return [{ ...p, message: `expected one of ${options}; got ${match[2]}` }]
  })
}
