// `s2s import rules --csv FILE`: the previous system's rule export (company, product, partner, target;
// `*` and globs) as the `rules:` of an s2s.yaml. The imported rules replace the file's rules; a rule
// already in the file with the same match and target keeps its id and description, so re-importing
// an unchanged export changes nothing. The rest of the file (comments included) is kept as it is.
import { isMap, isSeq, parseDocument } from "yaml"
import { readCsv } from "../lib/csv.js"

export interface ImportedRule {
  readonly id?: string | undefined
  readonly company: string
  readonly product: string
  readonly partner: string
  readonly target?: string | undefined
  readonly exclude?: boolean | undefined
  readonly description?: string | undefined
}

export const RULE_COLUMNS = {
  required: ["company", "product", "partner", "target"],
  optional: ["exclude", "id", "description"]
} as const

const TRUE = /^(true|yes|1|y|x)$/i
const FALSE = /^(false|no|0|n|)$/i

export const rulesFromCsv = (
  text: string,
  file: string
): { readonly rules: ReadonlyArray<ImportedRule>; readonly problems: ReadonlyArray<string> } => {
  const csv = readCsv(text, file, RULE_COLUMNS)
  if (csv._tag === "Invalid") return { rules: [], problems: csv.problems }
  const problems: Array<string> = []
  const rules = csv.rows.flatMap(({ line, values }): Array<ImportedRule> => {
    const glob = (v: string | undefined) => (v === undefined || v === "" ? "*" : v)
    const exclude = values.exclude ?? ""
    if (!TRUE.test(exclude) && !FALSE.test(exclude)) {
      problems.push(`${file}:${line}: exclude "${exclude}" is not true or false`)
      return []
    }
    const target = values.target || undefined
    if (target === undefined && !TRUE.test(exclude)) {
      problems.push(`${file}:${line}: no target (a rule without one must be an exclusion: exclude true)`)
      return []
    }
    return [
      {
        ...(values.id ? { id: values.id } : {}),
        company: glob(values.company),
        product: glob(values.product),
        partner: glob(values.partner),
        ...(target === undefined ? {} : { target }),
        ...(TRUE.test(exclude) ? { exclude: true } : {}),
        ...(values.description ? { description: values.description } : {})
      }
    ]
  })
  return { rules, problems }
}

const slug = (text: string) =>
  text === "*" ? "all" : text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "any"

const sameRule = (a: ImportedRule, b: Record<string, unknown>) =>
  a.company === b.company &&
  a.product === b.product &&
  a.partner === b.partner &&
  (a.target ?? undefined) === (b.target ?? undefined) &&
  (a.exclude === true) === (b.exclude === true)

/** The file's text with its rules replaced by `imported`. */
export const withImportedRules = (fileText: string, imported: ReadonlyArray<ImportedRule>): string => {
  const doc = parseDocument(fileText.trim() === "" ? "rules: []\n" : fileText)
  const current = doc.get("rules", true)
  const existing: Array<Record<string, unknown>> = isSeq(current)
    ? current.items.map((item) => (isMap(item) ? (item.toJSON() as Record<string, unknown>) : {}))
    : []
  const used = new Set<string>()
  const rules = imported.map((rule) => {
    const kept = existing.find((e) => sameRule(rule, e) && typeof e.id === "string" && !used.has(e.id as string))
    const base =
      rule.id ??
      (kept?.id as string | undefined) ??
      [rule.company, rule.product, rule.partner, rule.exclude ? "exclude" : rule.target]
        .map((p) => slug(p ?? ""))
        .join("-")
        .slice(0, 120)
    let id = base
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`
    used.add(id)
    const description = rule.description ?? (kept?.description as string | undefined)
    return {
      id,
      company: rule.company,
      product: rule.product,
      partner: rule.partner,
      ...(rule.target === undefined ? {} : { target: rule.target }),
      ...(rule.exclude ? { exclude: true } : {}),
      ...(description === undefined ? {} : { description })
    }
  })
  const seq = doc.createNode(rules)
  for (const item of seq.items) if (isMap(item)) item.flow = true
  doc.set("rules", seq)
  return doc.toString({ lineWidth: 0 })
}
