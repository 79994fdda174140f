// `s2s erase --email E [--phone P]... [--yes]`: GDPR erasure of one subject's personal data (see
// src/privacy/erase.ts).
// A dry run unless --yes. Connects as the owner role (MIGRATION_DATABASE_URL's user, else DATABASE_URL's): the app role cannot erase.
import { Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const config = {
  email: Options.text("email").pipe(
    Options.withPseudoName("EMAIL"),
    Options.withDescription("the data subject's email address")
  ),
  phone: Options.text("phone").pipe(
    Options.withPseudoName("PHONE"),
    Options.withDescription("a phone number of the subject's, beside those found in their orders (repeatable)"),
    Options.repeated
  ),
  yes: Options.boolean("yes").pipe(Options.withDescription("erase (without it: list what would be erased)")),
  reason: Options.text("reason").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("e.g. the request's ticket id"),
    Options.optional
  )
}
export type EraseInput = Input<typeof config>

export const erase = Command.make(
  "erase",
  config,
  lazy(
    () => import("./run/erase.js"),
    (m) => m.erase
  )
).pipe(Command.withDescription("Erase a data subject's personal data from the event log and views (GDPR)"))
