// `--help` for every command, rendered from the command tree itself (names, options, arguments and
// descriptions as defined with @effect/cli), but laid out like a Unix tool's help: a usage line that
// names the whole command path, one line per option, no colour unless stdout is a terminal and NO_COLOR
// is unset. @effect/cli's own help is always ANSI-coloured, pads its command list to the longest usage
// of any subcommand (hundreds of columns) and prints usage lines without the command path.
import type { Command, HelpDoc, Span } from "@effect/cli"

// The @effect/cli descriptor and option trees, as far as help needs them (their shapes in 0.77).
type HelpNode = HelpDoc.HelpDoc
interface Primitive {
  readonly _tag: string
  readonly alternatives?: ReadonlyArray<readonly [string, unknown]>
}
interface SingleOption {
  readonly _tag: "Single"
  readonly name: string
  readonly fullName: string
  readonly aliases: ReadonlyArray<string>
  readonly primitiveType: Primitive
  readonly description: HelpNode
  readonly pseudoName: { readonly _tag: "Some" | "None"; readonly value?: string }
}
type OptionNode =
  | SingleOption
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Map" | "WithDefault" | "WithFallback"; readonly options: OptionNode }
  | { readonly _tag: "Both" | "OrElse"; readonly left: OptionNode; readonly right: OptionNode }
  | { readonly _tag: "Variadic" | "KeyValueMap"; readonly argumentOption: SingleOption }
type ArgNode =
  | { readonly _tag: "Single"; readonly name: string; readonly description: HelpNode }
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Map"; readonly args: ArgNode }
  | { readonly _tag: "WithDefault" | "WithFallbackConfig" | "Variadic"; readonly args: ArgNode }
  | { readonly _tag: "Both"; readonly left: ArgNode; readonly right: ArgNode }
type CommandNode =
  | {
      readonly _tag: "Standard"
      readonly name: string
      readonly description: HelpNode
      readonly options: OptionNode
      readonly args: ArgNode
    }
  | { readonly _tag: "GetUserInput"; readonly name: string; readonly description: HelpNode }
  | { readonly _tag: "Map"; readonly command: CommandNode }
  | { readonly _tag: "Subcommands"; readonly parent: CommandNode; readonly children: ReadonlyArray<CommandNode> }

export interface Flag {
  readonly names: ReadonlyArray<string>
  readonly value: string | undefined
  readonly description: string
  readonly optional: boolean
  readonly repeated: boolean
}

export interface Positional {
  readonly name: string
  readonly description: string
  readonly optional: boolean
  readonly repeated: boolean
}

export interface CommandHelp {
  readonly name: string
  readonly description: string
  readonly flags: ReadonlyArray<Flag>
  readonly args: ReadonlyArray<Positional>
  readonly children: ReadonlyArray<CommandHelp>
}

const text = (doc: HelpNode): string => {
  const span = (s: Span.Span): string =>
    s._tag === "Text" || s._tag === "URI"
      ? s.value
      : s._tag === "Sequence"
        ? span(s.left) + span(s.right)
        : span(s.value)
  switch (doc._tag) {
    case "Empty":
      return ""
    case "Header":
    case "Paragraph":
      return span(doc.value)
    case "Sequence":
      return [text(doc.left), text(doc.right)].filter((t) => t !== "").join(" ")
    case "DescriptionList":
      return doc.definitions.map(([s, d]) => `${span(s)} ${text(d)}`).join(" ")
    case "Enumeration":
      return doc.elements.map(text).join(" ")
  }
}

const placeholder = (o: SingleOption): string | undefined => {
  if (o.pseudoName._tag === "Some" && o.pseudoName.value) return o.pseudoName.value
  const p = o.primitiveType
  if (p._tag === "Bool") return undefined
  if (p._tag === "Choice") return (p.alternatives ?? []).map(([name]) => name).join("|")
  if (p._tag === "Integer" || p._tag === "Float") return "N"
  return o.name.toUpperCase().replaceAll("-", "_")
}

const flagsOf = (node: OptionNode, optional = false, repeated = false): Array<Flag> => {
  switch (node._tag) {
    case "Empty":
      return []
    case "Single":
      return [
        {
          names: [...node.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), node.fullName],
          value: placeholder(node),
          description: text(node.description),
          optional: optional || node.primitiveType._tag === "Bool",
          repeated
        }
      ]
    case "Map":
      return flagsOf(node.options, optional, repeated)
    case "WithDefault":
    case "WithFallback":
      return flagsOf(node.options, true, repeated)
    case "Both":
    case "OrElse":
      return [...flagsOf(node.left, optional, repeated), ...flagsOf(node.right, optional, repeated)]
    case "Variadic":
    case "KeyValueMap":
      return flagsOf(node.argumentOption, true, true)
  }
}

const argsOf = (node: ArgNode, optional = false, repeated = false): Array<Positional> => {
  switch (node._tag) {
    case "Empty":
      return []
    case "Single":
      return [{ name: node.name, description: text(node.description), optional, repeated }]
    case "Map":
      return argsOf(node.args, optional, repeated)
    case "WithDefault":
    case "WithFallbackConfig":
      return argsOf(node.args, true, repeated)
    case "Variadic":
      return argsOf(node.args, true, true)
    case "Both":
      return [...argsOf(node.left, optional, repeated), ...argsOf(node.right, optional, repeated)]
  }
}

const toHelp = (node: CommandNode): CommandHelp => {
  switch (node._tag) {
    case "Map":
      return toHelp(node.command)
    case "Subcommands":
      return { ...toHelp(node.parent), children: node.children.map(toHelp) }
    case "GetUserInput":
      return { name: node.name, description: text(node.description), flags: [], args: [], children: [] }
    case "Standard":
      return {
        name: node.name,
        description: text(node.description),
        flags: flagsOf(node.options),
        args: argsOf(node.args),
        children: []
      }
  }
}

/** The help model of a command tree (its descriptor is @effect/cli's, read structurally). */
export const commandHelp = <Name extends string, R, E, A>(command: Command.Command<Name, R, E, A>): CommandHelp =>
  toHelp((command as unknown as { readonly descriptor: CommandNode }).descriptor)

/** Walks `words` down the tree as far as they name subcommands. */
export const resolvePath = (root: CommandHelp, words: ReadonlyArray<string>) => {
  const path = [root]
  for (const word of words) {
    const next = path.at(-1)!.children.find((c) => c.name === word)
    if (next === undefined) break
    path.push(next)
  }
  return path
}
