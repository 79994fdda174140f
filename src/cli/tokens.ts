// `s2s tokens create --scope S [--source ID]`: the token is printed once, on the last line.
// `s2s tokens list [--json]`: every token's id, scope, source, dates (never the token);
// `s2s tokens revoke ID`: refused by every process within a second.
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { CoreLive } from "../main.js"
import { Tokens } from "../tokens/Tokens.js"
import { cliActor, print, printJson, table, usageError } from "./output.js"

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

const revoke = Command.make(
  "revoke",
  {
    tokenId: Args.text({ name: "ID" }).pipe(Args.withDescription("the token's id (tok_...)"), Args.optional),
    idOption: Options.text("id").pipe(Options.withDescription("the same, as an option"), Options.optional)
  },
  ({ tokenId, idOption }) =>
    Effect.gen(function* () {
      const id = Option.orElse(tokenId, () => idOption)
      if (Option.isNone(id)) return yield* usageError("name the token to revoke: s2s tokens revoke ID")
      const done = yield* (yield* Tokens).revoke(id.value, cliActor())
      if (!done) return yield* Effect.fail(new Error(`no active token ${id.value}`))
      yield* print(`revoked ${id.value}; every s2s process refuses it within a second`)
    }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("Revoke a token by id (s2s tokens list shows the ids)"))

const when = (date: Date | null) => (date === null ? "-" : date.toISOString().replace(/\.\d{3}Z$/, "Z"))

const list = Command.make(
  "list",
  { json: Options.boolean("json").pipe(Options.withDescription("print JSON")) },
  ({ json }) =>
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
    }).pipe(Effect.provide(CoreLive))
).pipe(
  Command.withDescription(
    "List API tokens: id, scope, source, created, last use (to about a minute), revoked; never the token"
  )
)

export const tokens = Command.make("tokens").pipe(
  Command.withDescription("Manage API tokens"),
  Command.withSubcommands([create, list, revoke])
)
