// Lays out the help of one command (help.ts builds the model): a usage line with the whole command
// path, the description, then commands or options in two columns wrapped to the terminal (100 columns
// when stdout is not one). Bold headings only when colour is on.
import type { CommandHelp, Flag, Positional } from "./help.js"

export interface HelpStyle {
  readonly color: boolean
  readonly width: number
}

const MAX_LEFT = 30

const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "" || lines.length === 0) lines.push(line)
  return lines
}

/** Two columns: the left one as wide as its widest entry (at most 30), longer entries on their own line. */
const columns = (rows: ReadonlyArray<readonly [string, string]>, width: number) => {
  const left = Math.min(MAX_LEFT, Math.max(...rows.map(([l]) => l.length)))
  const room = Math.max(30, width - left - 4)
  return rows.flatMap(([l, r]) => {
    const text = r === "" ? [] : wrap(r, room)
    const indent = " ".repeat(left + 4)
    if (l.length > left) return [`  ${l}`, ...text.map((t) => `${indent}${t}`)]
    const [first = "", ...rest] = text
    return [`  ${l.padEnd(left)}  ${first}`.trimEnd(), ...rest.map((t) => `${indent}${t}`)]
  })
}

const flagLabel = (f: Flag) => `${f.names.join(", ")}${f.value === undefined ? "" : ` ${f.value}`}`

const argLabel = (a: Positional) => (a.optional ? `[${a.name}]` : a.name) + (a.repeated ? "..." : "")

const longest = (f: Flag) => f.names.at(-1) ?? ""

const leaves = (node: CommandHelp, prefix: ReadonlyArray<string>): Array<readonly [string, string]> =>
  node.children.flatMap((c) => {
    const path = [...prefix, c.name]
    return c.children.length > 0
      ? leaves(c, path)
      : [[[...path, ...c.args.map(argLabel)].join(" "), c.description] as const]
  })

/** The help of the last command of `path` (path[0] is the root). */
export const renderHelp = (
  path: ReadonlyArray<CommandHelp>,
  globals: ReadonlyArray<Flag>,
  style: HelpStyle
): string => {
  const bold = (s: string) => (style.color ? `\x1b[1m${s}\x1b[0m` : s)
  const node = path.at(-1)!
  const command = path.map((p) => p.name).join(" ")
  const out: Array<string> = []
  const section = (title: string, rows: ReadonlyArray<readonly [string, string]>) => {
    if (rows.length > 0) out.push("", bold(title), ...columns(rows, style.width))
  }
  if (node.children.length > 0) {
    out.push(`${bold("Usage:")} ${command} <command> [options]`)
    if (node.description !== "") out.push("", ...wrap(node.description, style.width))
    section("Commands:", leaves(node, []))
    section(
      path.length === 1 ? "Options:" : "Global options:",
      globals.map((f) => [flagLabel(f), f.description])
    )
    out.push("", `Run "${command} <command> --help" for a command's options.`)
    return out.join("\n")
  }
  const required = node.flags.filter((f) => !f.optional).map((f) => `${longest(f)}${f.value ? ` ${f.value}` : ""}`)
  const usage = [
    command,
    ...required,
    ...(node.flags.some((f) => f.optional) ? ["[options]"] : []),
    ...node.args.map(argLabel)
  ]
  out.push(`${bold("Usage:")} ${usage.join(" ")}`)
  if (node.description !== "") out.push("", ...wrap(node.description, style.width))
  section(
    "Arguments:",
    node.args.filter((a) => a.description !== "").map((a) => [a.name, a.description])
  )
  section(
    "Options:",
    node.flags.map((f) => [
      `${flagLabel(f)}${f.repeated ? "..." : ""}`,
      f.repeated && !f.description.includes("repeatable") ? `${f.description} (repeatable)` : f.description
    ])
  )
  section(
    "Global options:",
    globals.map((f) => [flagLabel(f), f.description])
  )
  return out.join("\n")
}
