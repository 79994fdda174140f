// Reads and validates s2s.yaml. Every problem is reported at once, each naming the file, the line,
// the path and what is wrong: "s2s.yaml:12 targets[1].channel: expected one of ...".
import * as fs from "node:fs/promises"
import { Either, ParseResult, Schema } from "effect"
import { LineCounter, parseDocument } from "yaml"
import { redactProblem } from "./redact.js"
import { ConfigFile } from "./schema.js"

export interface ConfigProblem {
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

/** Extra checks contributed by stages (e.g. postback templates), run after the schema passes. */
export type ConfigValidator = (config: ConfigFile) => ReadonlyArray<ConfigProblem>

export class ConfigError extends Error {
  override readonly name = "ConfigError"
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<string>
  ) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`)
  }
}

export const formatPath = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc === "" ? String(k) : `${acc}.${String(k)}`),
    ""
  )

const decode = Schema.decodeUnknownEither(ConfigFile, { onExcessProperty: "error", errors: "all" })

const ENV_REF = /^env:[A-Za-z_][A-Za-z0-9_]*$/
// Headers that authenticate the request: like every other credential in s2s.yaml they are env:NAME
// references, never literals (a literal would be recorded in the config events). Other static
// headers (Accept, User-Agent, X-Source, ...) may be written out.
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie)$|auth|token|secret|passw(or)?d|api[-_]?key|(^|[-_])key$|signature/i

/** Cross-entity checks the schema cannot express. */
export const checkReferences = (config: ConfigFile): ReadonlyArray<ConfigProblem> => {
  const problems: Array<ConfigProblem> = []
  const duplicates = (kind: "sources" | "targets" | "rules" | "partners", ids: ReadonlyArray<string>) => {
    const seen = new Set<string>()
    ids.forEach((id, i) => {
      if (seen.has(id)) problems.push({ path: [kind, i, "id"], message: `duplicate id "${id}"` })
      seen.add(id)
    })
  }
  duplicates(
    "sources",
    config.sources.map((s) => s.id)
  )
  duplicates(
    "targets",
    config.targets.map((t) => t.id)
  )
  duplicates(
    "rules",
    config.rules.map((r) => r.id)
  )
  duplicates(
    "partners",
    config.partners.map((p) => p.id)
  )
  const sourceIds = new Set(config.sources.map((s) => s.id))
  const targetIds = new Set(config.targets.map((t) => t.id))
  config.sources.forEach((s, i) => {
    if (s.kind !== "generic" && s.secret === undefined)
      problems.push({ path: ["sources", i, "secret"], message: `a ${s.kind} source needs a secret (env:NAME)` })
    if (s.kind === "generic" && s.secret !== undefined)
      problems.push({
        path: ["sources", i, "secret"],
        message:
          "generic sources authenticate with bearer tokens (s2s tokens create --scope ingest --source ID), not a secret"
      })
    if (s.ordersOf !== undefined && !sourceIds.has(s.ordersOf))
      problems.push({ path: ["sources", i, "ordersOf"], message: `no source with id "${s.ordersOf}"` })
  })
  config.targets.forEach((t, i) => {
    if (t.channel !== "postback") return
    for (const [name, value] of Object.entries(t.headers ?? {}))
      if (CREDENTIAL_HEADER.test(name) && !ENV_REF.test(value.trim()))
        problems.push({
          path: ["targets", i, "headers", name],
          message: `${name} carries a credential, so it must be an env:NAME reference (the variable holds the whole value, e.g. "Bearer ...")`
        })
  })
  config.rules.forEach((r, i) => {
    if (r.target === undefined && r.exclude !== true)
      problems.push({
        path: ["rules", i, "target"],
        message: "a rule needs a target unless it is an exclusion (exclude: true)"
      })
    if (r.target !== undefined && !targetIds.has(r.target))
      problems.push({ path: ["rules", i, "target"], message: `no target with id "${r.target}"` })
  })
  return problems
}

/** Parses and validates YAML text; `file` only names it in messages. */
export const parseConfig = (
  text: string,
  file: string,
  validators: ReadonlyArray<ConfigValidator> = []
): Either.Either<ConfigFile, ConfigError> => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true })
  const where = (path: ReadonlyArray<PropertyKey>) => {
    // Walk up until a node exists (a missing key is reported at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as Array<unknown>, true)
      const range = (node as { range?: [number, number] } | undefined)?.range
      if (range) return `${file}:${lineCounter.linePos(range[0]).line}`
    }
    return file
  }
  if (doc.errors.length > 0) {
    return Either.left(
      new ConfigError(
        file,
        doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? "?"} ${e.message.split("\n")[0]}`)
      )
    )
  }
  const decoded = decode(doc.toJS() ?? {})
  if (Either.isLeft(decoded)) {
    const all = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
    // A union (e.g. an optional field: value | undefined) reports each member; keep the most precise
    // issues: those whose path is not a prefix of another issue's path.
    const isPrefix = (a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>) =>
      a.length < b.length && a.every((k, i) => k === b[i])
    const samePath = (a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>) =>
      a.length === b.length && a.every((k, i) => k === b[i])
    // The `undefined` member of an optional field adds nothing to the other member's problem.
    const noise = (issue: (typeof all)[number]) =>
      issue.message.startsWith("Expected undefined,") && all.some((o) => o !== issue && samePath(o.path, issue.path))
    const issues = all.filter((issue) => !noise(issue) && !all.some((other) => isPrefix(issue.path, other.path)))
    const lines = issues.map((issue) => {
      const message =
        issue._tag === "Unexpected"
          ? "unknown key (not part of the s2s.yaml format)"
          : redactProblem(issue.path, issue.message)
      return `${where(issue.path)} ${formatPath(issue.path) || "(top level)"}: ${message}`
    })
    // Redaction can make two members' problems read the same (value | undefined): report it once.
    return Either.left(new ConfigError(file, [...new Set(lines)]))
  }
  const problems = [checkReferences, ...validators].flatMap((v) => v(decoded.right))
  if (problems.length > 0) {
    return Either.left(
      new ConfigError(
        file,
        problems.map((p) => `${where(p.path)} ${formatPath(p.path)}: ${p.message}`)
      )
    )
  }
  return Either.right(decoded.right)
}

export const loadConfigFile = async (
  path: string,
  validators: ReadonlyArray<ConfigValidator> = [],
  rewrite: (text: string) => string = (text) => text
) => {
  const text = await fs.readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(path, [error.code === "ENOENT" ? "file not found" : error.message])
  })
  return parseConfig(rewrite(text), path, validators)
}

/** Every env:NAME the configuration refers to, with who uses it (for `config apply --check`). */
export const secretReferences = (
  config: ConfigFile
): ReadonlyArray<{ readonly name: string; readonly usedBy: string }> => {
  const refs: Array<{ name: string; usedBy: string }> = []
  const add = (value: unknown, usedBy: string) => {
    if (typeof value === "string" && value.startsWith("env:")) refs.push({ name: value.slice(4), usedBy })
  }
  for (const s of config.sources) {
    add(s.secret, `source ${s.id}`)
    for (const p of s.previousSecrets ?? []) add(p, `source ${s.id}`)
  }
  for (const t of config.targets) {
    for (const [key, value] of Object.entries(t)) add(value, `target ${t.id} (${key})`)
    if (t.channel === "postback")
      for (const value of Object.values(t.headers ?? {})) add(value, `target ${t.id} (headers)`)
  }
  add(config.alerts?.slack?.token, "alerts.slack")
  return refs
}
