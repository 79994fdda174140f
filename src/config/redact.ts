// Keeps secret values out of configuration problems. Effect's parse messages echo the value they
// refused ("Expected undefined, actual "hunter2""), which for a secret field is the secret itself.
// The secret-bearing fields are found from the schema (annotated with SecretField), so a new secret
// field is covered without touching this file: a problem at such a field reads only "must be an
// env:NAME reference", and a problem around one (a parent given the wrong type) names no value.
import { Option, SchemaAST } from "effect"
import { ConfigFile, SecretField } from "../events/configSchema.js"

const ANY = Symbol("any index or key")
type Pattern = ReadonlyArray<PropertyKey | typeof ANY>
interface SecretPath {
  readonly pattern: Pattern
  readonly message: string
}

const collect = (ast: SchemaAST.AST, path: Pattern, out: Array<SecretPath>, depth = 0): void => {
  if (depth > 32) return
  const message = SchemaAST.getAnnotation<string>(SecretField)(ast)
  if (Option.isSome(message)) {
    out.push({ pattern: path, message: message.value })
    return
  }
  const next = (child: SchemaAST.AST, key: PropertyKey | typeof ANY) => collect(child, [...path, key], out, depth + 1)
  switch (ast._tag) {
    case "TypeLiteral":
      for (const p of ast.propertySignatures) next(p.type, p.name)
      for (const i of ast.indexSignatures) next(i.type, ANY)
      return
    case "TupleType":
      for (const e of ast.elements) next(e.type, ANY)
      for (const r of ast.rest) next(r.type, ANY)
      return
    case "Union":
      for (const member of ast.types) collect(member, path, out, depth + 1)
      return
    case "Refinement":
      collect(ast.from, path, out, depth + 1)
      return
    case "Transformation":
      collect(ast.from, path, out, depth + 1)
      collect(ast.to, path, out, depth + 1)
      return
    default:
      return
  }
}

const secretPaths: ReadonlyArray<SecretPath> = (() => {
  const out: Array<SecretPath> = []
  collect(ConfigFile.ast, [], out)
  return out
})()

const matches = (pattern: Pattern, path: ReadonlyArray<PropertyKey>, length: number) => {
  for (let i = 0; i < length; i++) if (pattern[i] !== ANY && pattern[i] !== path[i]) return false
  return true
}

/** A secret field (with its message), a path that contains one or lies inside one ("around"), or "plain". */
export const secretRelation = (path: ReadonlyArray<PropertyKey>): SecretPath | "around" | "plain" => {
  let around = false
  for (const secret of secretPaths) {
    const n = Math.min(secret.pattern.length, path.length)
    if (!matches(secret.pattern, path, n)) continue
    if (secret.pattern.length === path.length) return secret
    around = true
  }
  return around ? "around" : "plain"
}

// Effect renders a refused value after ", actual " up to the end of the message.
const withoutActual = (message: string) => message.replace(/,\s*actual [\s\S]*$/, "")

/** The message to show for a problem at `path`, with no value of a secret in it. */
export const redactProblem = (path: ReadonlyArray<PropertyKey>, message: string): string => {
  const relation = secretRelation(path)
  if (relation === "plain") return message
  if (relation === "around") return withoutActual(message)
  // Whatever Effect says about a secret field (wrong type, wrong pattern, not undefined), the fix is
  // the same, and the message must not carry the value.
  return message === "is missing" ? message : relation.message
}
