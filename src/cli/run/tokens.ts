// `s2s tokens ...`: what the commands defined in ../tokens.ts do.
import { Effect, Option } from "effect"
import { ConfigState } from "../../config/ConfigState.js"
import { Tokens } from "../../tokens/Tokens.js"
import { cliActor, print } from "../output.js"
import { withCore } from "../stages.js"
import type { CreateInput, RevokeInput } from "../tokens.js"

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

export const revoke = ({ tokenId }: RevokeInput) =>
  Effect.gen(function* () {
    const done = yield* (yield* Tokens).revoke(tokenId, cliActor())
    if (!done) return yield* Effect.fail(new Error(`no active token ${tokenId}`))
    yield* print(`revoked ${tokenId}`)
  }).pipe(withCore)
