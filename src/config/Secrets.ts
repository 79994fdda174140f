// Resolves `env:NAME` references at the moment of use. Values come back Redacted, so printing or
// logging them shows "<redacted>"; a missing variable is reported by name, never by value.
import { Context, Data, Effect, Layer, Redacted } from "effect"
import type { SecretRef } from "../events/configSchema.js"

export class MissingSecret extends Data.TaggedError("MissingSecret")<{
  readonly name: string
  readonly usedBy: string
}> {
  override get message() {
    return `environment variable ${this.name} (used by ${this.usedBy}) is not set`
  }
}

export interface SecretsService {
  readonly get: (ref: SecretRef | string, usedBy: string) => Effect.Effect<Redacted.Redacted<string>, MissingSecret>
}

export class Secrets extends Context.Tag("app/Secrets")<Secrets, SecretsService>() {}

export const envName = (ref: string) => (ref.startsWith("env:") ? ref.slice(4) : ref)

export const secretsFrom = (lookup: (name: string) => string | undefined): SecretsService => ({
  get: (ref, usedBy) => {
    const name = envName(ref)
    const value = lookup(name)
    return value === undefined || value === ""
      ? Effect.fail(new MissingSecret({ name, usedBy }))
      : Effect.succeed(Redacted.make(value))
  }
})

/** Reads process.env at each use, so a rotated variable is picked up after a restart of nothing but the value. */
export const SecretsLive = Layer.succeed(
  Secrets,
  secretsFrom((name) => process.env[name])
)

/** For tests: a fixed map. */
export const SecretsTest = (values: Record<string, string>) =>
  Layer.succeed(
    Secrets,
    secretsFrom((name) => values[name])
  )
