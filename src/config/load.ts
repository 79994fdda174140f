// Reads and validates s2s.yaml. Every problem is reported at once, sorted, each naming the file, the
// line and column, the path and what is wrong: "s2s.yaml:12:5 targets[1].channel: expected one of ...".
import * as fs from "node:fs/promises"
import { Data, Either, Schema } from "effect"
import { LineCounter, parseDocument } from "yaml"
import { ConfigFile } from "../events/configSchema.js"
import { type Located, locate, partialConfig, schemaProblems } from "./problems.js"

export interface ConfigProblem {
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

/** Extra checks contributed by stages (e.g. postback templates), run after the schema passes. */
export type ConfigValidator = (config: ConfigFile) => ReadonlyArray<ConfigProblem>

export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly file: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `${this.file} is not valid:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`
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
export const checkReferences = (
  config: ConfigFile,
  /** Ids defined by entries that failed the schema (still defined as far as references go). */
  known?: { readonly sources: ReadonlySet<string>; readonly targets: ReadonlySet<string> }
): ReadonlyArray<ConfigProblem> => {
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
  const sourceIds = new Set([...config.sources.map((s) => s.id), ...(known?.sources ?? [])])
  const targetIds = new Set([...config.targets.map((t) => t.id), ...(known?.targets ?? [])])
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

/**
 * Parses and validates YAML text; `file` only names it in messages. Every problem is reported in one
 * pass (syntax errors alone, since nothing after them can be trusted), sorted by line and column:
 * "s2s.yaml:12:5 rules[1].target: no target with id "meta-acme"".
 */
export const parseConfig = (
  text: string,
  file: string,
  validators: ReadonlyArray<ConfigValidator> = []
): Either.Either<ConfigFile, ConfigError> => {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true })
  const report = (found: ReadonlyArray<Located>) => {
    const sorted = [...found].sort((a, b) => a.line - b.line || a.col - b.col || a.text.localeCompare(b.text))
    // Redaction can make two members' problems read the same (value | undefined): report it once.
    const texts = [...new Set(sorted.map((p) => `${file}:${p.line}:${p.col} ${p.text}`))]
    return Either.left(new ConfigError({ file, problems: texts }))
  }
  if (doc.errors.length > 0)
    return report(
      doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? 0,
        col: e.linePos?.[0]?.col ?? 0,
        text: e.message.split("\n")[0] ?? e.message
      }))
    )
  const raw = doc.toJS() ?? {}
  const at = (path: ReadonlyArray<PropertyKey>, message: string, atKey = false): Located => ({
    ...locate(doc, lines, path, atKey),
    text: `${formatPath(path) || "(top level)"}: ${message}`
  })
  const decoded = decode(raw)
  const found: Array<Located> = []
  let config: ConfigFile
  let remap = (path: ReadonlyArray<PropertyKey>) => path
  let known: { sources: ReadonlySet<string>; targets: ReadonlySet<string> } | undefined
  if (Either.isLeft(decoded)) {
    for (const p of schemaProblems(decoded.left)) found.push(at(p.path, p.message, p.unknownKey))
    const partial = partialConfig(raw)
    config = partial.config
    remap = partial.remap
    known = partial.known
  } else config = decoded.right
  for (const validate of [(c: ConfigFile) => checkReferences(c, known), ...validators])
    for (const p of validate(config)) found.push(at(remap(p.path), p.message))
  return found.length > 0 ? report(found) : Either.right(config)
}

export const loadConfigFile = async (
  path: string,
  validators: ReadonlyArray<ConfigValidator> = [],
  rewrite: (text: string) => string = (text) => text
) => {
  const text = await fs.readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError({ file: path, problems: [error.code === "ENOENT" ? "file not found" : error.message] })
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
