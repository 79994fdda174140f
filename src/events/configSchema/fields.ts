// The plain fields of s2s.yaml: ids, globs, country and currency codes, and secret references
// (`env:NAME`, never a value: ../configSchema.ts).
import { Schema } from "effect"

/**
 * Marks a field whose value may be a credential; the annotation is the message shown for any problem
 * with it, so config problems never echo the value (config/redact.ts).
 */
export const SecretField = Symbol.for("s2s/config/SecretField")
export const SECRET_REF_MESSAGE =
  "secrets must be env:NAME references (the value is read from that environment variable)"

export const SecretRef = Schema.String.pipe(
  Schema.pattern(/^env:[A-Za-z_][A-Za-z0-9_]*$/, { message: () => SECRET_REF_MESSAGE }),
  Schema.brand("SecretRef")
).annotations({ [SecretField]: SECRET_REF_MESSAGE })
export type SecretRef = typeof SecretRef.Type

export const Id = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
    message: () => "ids use letters, digits, '.', '_' and '-' (at most 128 characters)"
  })
)
export const Glob = Schema.String.pipe(Schema.minLength(1))
export const Country = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{2}$/, { message: () => "a country is an ISO 3166-1 alpha-2 code in upper case, e.g. DE" })
)
export const Currency = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "a currency is an ISO 4217 code in upper case, e.g. EUR" })
)
