// Command output goes to stdout (logs go to stderr). Tables are plain aligned text.
import { HelpDoc, ValidationError } from "@effect/cli"
import { Console, Effect } from "effect"

export const print = (line = "") => Console.log(line)

export const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

export const printTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  rows.length === 0 ? Effect.void : Console.log(table(headers, rows))

export { cliActor } from "./actor.js"

/** A usage problem found after parsing (bad filter values): printed to stderr, exit code 2. */
export const usageError = (message: string) =>
  Console.error(`error: ${message}`).pipe(
    Effect.zipRight(Effect.fail(ValidationError.invalidValue(HelpDoc.p(message))))
  )
