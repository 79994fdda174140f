// `s2s tokens ...`: what the commands defined in ../tokens.ts do.
import { Effect, Option } from "effect"
import { ConfigState } from "../../config/ConfigState.js"
import { Tokens } from "../../tokens/Tokens.js"
import { cliActor, print, printJson, table, usageError } from "../output.js"
import { withCore } from "../stages.js"
import type { CreateInput, ListInput, RevokeInput } from "../tokens.js"

export const create = ({ scope, source, label }: CreateInput) =>
  Effect.gen(function* () {
    const sourceId = Option.getOrUndefined(source)
    if (scope === "ingest") {
      if (sourceId === undefined) return yield* Effect.fail(new Error("an ingest token needs --source ID"))
      const config = yield* (yield* ConfigState).refresh
      const s = config.sources.get(sourceId)
      if (s === undefined) return yield* Effect.fail(new Error(`no source "${sourceId}" in the configuration`))
      if (s.kind !== "generic")
        return yield* Effect.fail(
          new Error(`source ${sourceId} is ${s.kind}: it is authenticated by its signature, not a token`)
        )
    } else if (sourceId !== undefined) {
      return yield* Effect.fail(new Error("--source only applies to --scope ingest"))
    }
    const tokens = yield* Tokens
    const created = yield* tokens.create({ scope, sourceId, label: Option.getOrUndefined(label), actor: cliActor() })
    yield* print(
      `created token ${created.tokenId} (scope ${scope}${sourceId ? `, source ${sourceId}` : ""}); it is shown only once:`
    )
    yield* print(created.token)
  }).pipe(withCore)

export const revoke = ({ tokenId, idOption }: RevokeInput) =>
  Effect.gen(function* () {
    const id = Option.orElse(tokenId, () => idOption)
    if (Option.isNone(id)) return yield* usageError("name the token to revoke: s2s tokens revoke ID")
    const done = yield* (yield* Tokens).revoke(id.value, cliActor())
    if (!done) return yield* Effect.fail(new Error(`no active token ${id.value}`))
    yield* print(`revoked ${id.value}; every s2s process refuses it within a second`)
  }).pipe(withCore)

const when = (date: Date | null) => (date === null ? "-" : date.toISOString().replace(/\.\d{3}Z$/, "Z"))

export const list = ({ json }: ListInput) =>
  Effect.gen(function* () {
    const tokens = yield* (yield* Tokens).list
    if (json) {
      return yield* printJson(
        tokens.map((t) => ({
          id: t.tokenId,
          scope: t.scope,
          source: t.sourceId,
          label: t.label,
          createdAt: t.createdAt.toISOString(),
          lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
          revokedAt: t.revokedAt?.toISOString() ?? null
        }))
      )
    }
    if (tokens.length === 0) return yield* print("no tokens (create one with s2s tokens create --scope SCOPE)")
    yield* print(
      table(
        ["ID", "SCOPE", "SOURCE", "CREATED", "LAST USE", "REVOKED", "LABEL"],
        tokens.map((t) => [
          t.tokenId,
          t.scope,
          t.sourceId ?? "-",
          when(t.createdAt),
          when(t.lastUsedAt),
          when(t.revokedAt),
          t.label ?? "-"
        ])
      )
    )
  }).pipe(withCore)
