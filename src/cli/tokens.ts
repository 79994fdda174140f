// `s2s tokens create --scope S [--source ID]`: the token is printed once, on the last line.
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { CoreLive } from "../main.js"
import { Tokens } from "../tokens/Tokens.js"
import { cliActor, print } from "./output.js"

const create = Command.make(
  "create",
  {
    scope: Options.choice("scope", ["audit", "operate", "admin", "ingest"]).pipe(
      Options.withDescription(
        "audit (read), operate (rebuild, redispatch), admin (everything), ingest (one generic source)"
      )
    ),
    source: Options.text("source").pipe(
      Options.withDescription("the generic source an ingest token opens"),
      Options.optional
    ),
    label: Options.text("label").pipe(Options.withDescription("a note on who or what uses the token"), Options.optional)
  },
  ({ scope, source, label }) =>
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
    }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("Create an API token (stored hashed; printed once on the last line)"))

const revoke = Command.make("revoke", { tokenId: Options.text("id") }, ({ tokenId }) =>
  Effect.gen(function* () {
    const done = yield* (yield* Tokens).revoke(tokenId, cliActor())
    if (!done) return yield* Effect.fail(new Error(`no active token ${tokenId}`))
    yield* print(`revoked ${tokenId}`)
  }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("Revoke a token by id"))

export const tokens = Command.make("tokens").pipe(
  Command.withDescription("Manage API tokens"),
  Command.withSubcommands([create, revoke])
)
