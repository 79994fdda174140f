// CSV files an operator brings from the system s2s replaces, parsed with csv-parse (quoted fields,
// embedded commas and newlines, a UTF-8 BOM from spreadsheet exports): a header row names the columns,
// every row is checked, and every problem is reported with its line at once, so a file is either
// imported whole or not at all.
import { parse } from "csv-parse/sync"

export interface CsvRow {
  /** The line the record ends on (a quoted field may span lines; 1 is the header). */
  readonly line: number
  readonly values: Readonly<Record<string, string>>
}

export type CsvResult =
  | { readonly _tag: "Rows"; readonly rows: ReadonlyArray<CsvRow> }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> }

/** Rows keyed by the lower-cased header; `required` columns must be in the header, `known` are all there may be. */
export const readCsv = (
  text: string,
  file: string,
  columns: { readonly required: ReadonlyArray<string>; readonly optional: ReadonlyArray<string> }
): CsvResult => {
  let records: Array<{ record: Array<string>; info: { lines: number } }>
  try {
    // With info: true each record comes with where it ends (csv-parse's types do not follow the option).
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true
    }) as unknown as Array<{ record: Array<string>; info: { lines: number } }>
  } catch (error) {
    return { _tag: "Invalid", problems: [`${file}: ${error instanceof Error ? error.message : String(error)}`] }
  }
  const [header, ...body] = records
  if (header === undefined) return { _tag: "Invalid", problems: [`${file}: empty file (expected a header row)`] }
  const names = header.record.map((h) => h.toLowerCase())
  const known = new Set([...columns.required, ...columns.optional])
  const problems = [
    ...columns.required
      .filter((c) => !names.includes(c))
      .map((c) => `${file}:1: missing column ${c} (the header must name ${columns.required.join(", ")})`),
    ...names
      .filter((n) => !known.has(n))
      .map((n) => `${file}:1: unknown column "${n}" (known: ${[...known].join(", ")})`)
  ]
  const rows = body.map(({ record, info }) => {
    if (record.length > names.length)
      problems.push(`${file}:${info.lines}: ${record.length} fields, the header has ${names.length}`)
    return {
      line: info.lines,
      values: Object.fromEntries(names.map((n, i) => [n, record[i] ?? ""]))
    }
  })
  return problems.length > 0 ? { _tag: "Invalid", problems } : { _tag: "Rows", rows }
}
