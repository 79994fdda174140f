// Decoding untrusted payloads with Schema, and the one problem type every parser reports: what is wrong
// and where ("line_items[0].price: not a decimal amount"), so a failed webhook can be fixed and re-run.
// Schemas here are lenient on purpose: only the fields normalization reads are declared, unknown keys
// pass, and platforms' nulls are accepted wherever the field is optional.
import { Either, ParseResult, Schema } from "effect"
import { decimalToMinor, minorText } from "./money.js"

export interface PayloadProblem {
  readonly path?: string | undefined
  readonly message: string
}
export type Parsed<A> = Either.Either<A, PayloadProblem>

export const problem = (path: string | undefined, message: string): Parsed<never> => Either.left({ path, message })

/** ["line_items", 0, "price"] -> "line_items[0].price", under an optional prefix ("data.object"). */
export const formatPath = (segments: ReadonlyArray<PropertyKey>, prefix?: string): string | undefined => {
  let out = prefix ?? ""
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`
    else out += out === "" ? String(segment) : `.${String(segment)}`
  }
  return out === "" ? undefined : out
}

export const joinPath = (prefix: string | undefined, rest: string): string =>
  prefix === undefined || prefix === "" ? rest : `${prefix}.${rest}`

/** Decodes with the schema; the first issue becomes the problem, with its full path. */
export const decodeAt =
  <A, I>(schema: Schema.Schema<A, I>, prefix?: string) =>
  (value: unknown): Parsed<A> =>
    Schema.decodeUnknownEither(schema, { errors: "first" })(value).pipe(
      Either.mapLeft((error) => {
        const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
        return { path: formatPath(issue?.path ?? [], prefix), message: concise(issue?.message ?? "does not decode") }
      })
    )

// Schema spells out a whole struct type in "Expected { readonly id?: ... }, actual ..."; an operator
// needs the kind of value that was expected, not the schema.
const concise = (message: string): string => {
  const match = /^Expected ([\s\S]*), actual ([\s\S]*)$/.exec(message)
  if (!match) return message
  const expected = match[1] ?? ""
  const kind = expected.startsWith("{")
    ? "an object"
    : expected.startsWith("ReadonlyArray<")
      ? "an array"
      : expected.length > 60
        ? `${expected.slice(0, 57)}...`
        : expected
  return `expected ${kind}, got ${match[2] ?? ""}`
}

// Atoms -----------------------------------------------------------------------------------------------

/** Optional and nullable: what platforms mean by "not set". */
export const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** Platform ids: numbers (Shopify, WooCommerce) or strings (big Shopify ids after parseJson, Stripe). */
export const Id = Schema.Union(Schema.String.pipe(Schema.minLength(1)), Schema.Number)
  .pipe(Schema.transform(Schema.String, { strict: true, decode: (v) => String(v), encode: (s) => s }))
  .annotations({ message: () => ({ message: "not an id (a string or a number)", override: true }) })

/** A decimal amount in major units as text ("19.99") or a JSON number (WooCommerce line prices). */
export const Decimal = Schema.Union(
  Schema.String.pipe(Schema.pattern(/^\s*[+-]?\d+(\.\d*)?\s*$/)),
  Schema.Number.pipe(Schema.finite())
).annotations({ message: () => ({ message: "not a decimal amount", override: true }) })
export type Decimal = typeof Decimal.Type

/** An integer amount in minor units as text ("65215", Paddle). */
export const MinorText = Schema.String.pipe(Schema.pattern(/^-?\d+$/)).annotations({
  message: () => ({ message: "not an amount in minor units", override: true })
})

/** A JSON integer (Stripe amounts, quantities). */
export const Int = Schema.Int.annotations({ message: () => ({ message: "not an integer", override: true }) })

export const Str = Schema.String
export const Bool = Schema.Boolean

/** Key/value attributes whose values may be anything (WooCommerce meta values, Paddle custom_data). */
export const AnyRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

// Conversions with a path ----------------------------------------------------------------------------

export const minorAt = (amount: Decimal, currency: string, path: string): Parsed<number> => {
  const minor = decimalToMinor(amount, currency)
  return minor === undefined ? problem(path, "not a decimal amount") : Either.right(minor)
}

export const minorTextAt = (amount: string, path: string): Parsed<number> => {
  const minor = minorText(amount)
  return minor === undefined ? problem(path, "not an amount in minor units") : Either.right(minor)
}

export const required = <A>(value: A | undefined, path: string, message = "is missing"): Parsed<A> =>
  value === undefined ? problem(path, message) : Either.right(value)
