// `s2s tokens create --scope S [--source ID]`: the token is printed once, on the last line.
// `s2s tokens list [--json]`: every token's id, scope, source, dates (never the token);
// `s2s tokens revoke ID`: refused by every process within a second.
import { Args, Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const run = () => import("./run/tokens.js")

const createConfig = {
  scope: Options.choice("scope", ["audit", "operate", "admin", "ingest"]).pipe(
    Options.withDescription(
      "audit (read), operate (rebuild, redispatch), admin (everything), ingest (one generic source)"
    )
  ),
  source: Options.text("source").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("the generic source an ingest token opens"),
    Options.optional
  ),
  label: Options.text("label").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("a note on who or what uses the token"),
    Options.optional
  )
}
export type CreateInput = Input<typeof createConfig>

const create = Command.make(
  "create",
  createConfig,
  lazy(run, (m) => m.create)
).pipe(Command.withDescription("Create an API token (stored hashed; printed once on the last line)"))

const revokeConfig = {
  tokenId: Args.text({ name: "ID" }).pipe(Args.withDescription("the token's id (tok_...)"), Args.optional),
  idOption: Options.text("id").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("the same, as an option"),
    Options.optional
  )
}
export type RevokeInput = Input<typeof revokeConfig>

const revoke = Command.make(
  "revoke",
  revokeConfig,
  lazy(run, (m) => m.revoke)
).pipe(Command.withDescription("Revoke a token by id (s2s tokens list shows the ids)"))

const listConfig = { json: Options.boolean("json").pipe(Options.withDescription("print JSON")) }
export type ListInput = Input<typeof listConfig>

const list = Command.make(
  "list",
  listConfig,
  lazy(run, (m) => m.list)
).pipe(
  Command.withDescription(
    "List API tokens: id, scope, source, created, last use (to about a minute), revoked; never the token"
  )
)

export const tokens = Command.make("tokens").pipe(
  Command.withDescription("Manage API tokens"),
  Command.withSubcommands([create, list, revoke])
)
