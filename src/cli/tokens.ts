// `s2s tokens create --scope S [--source ID]`: the token is printed once, on the last line.
import { Command, Options } from "@effect/cli"
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
  tokenId: Options.text("id").pipe(Options.withPseudoName("ID"), Options.withDescription("the token's id"))
}
export type RevokeInput = Input<typeof revokeConfig>

const revoke = Command.make(
  "revoke",
  revokeConfig,
  lazy(run, (m) => m.revoke)
).pipe(Command.withDescription("Revoke a token by id"))

export const tokens = Command.make("tokens").pipe(
  Command.withDescription("Manage API tokens"),
  Command.withSubcommands([create, revoke])
)
