// `s2s erase --email E [--phone P]... [--yes]`: GDPR erasure of one subject's personal data (see
// src/privacy/erase.ts).
// A dry run unless --yes. Connects as the owner role (MIGRATION_DATABASE_URL's user, else DATABASE_URL's): the app role cannot erase.
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { Database } from "../db/Database.js"
import { makeSql } from "../db/Db.js"
import { DatabaseReady } from "../main.js"
import { executeErasure, planErasure } from "../privacy/erase.js"
import { cliActor, print } from "./output.js"

export const erase = Command.make(
  "erase",
  {
    email: Options.text("email").pipe(Options.withDescription("the data subject's email address")),
    phone: Options.text("phone").pipe(
      Options.withDescription("a phone number of the subject's, beside those found in their orders (repeatable)"),
      Options.repeated
    ),
    yes: Options.boolean("yes").pipe(Options.withDescription("erase (without it: list what would be erased)")),
    reason: Options.text("reason").pipe(Options.withDescription("e.g. the request's ticket id"), Options.optional)
  },
  ({ email, phone, yes, reason }) =>
    Effect.gen(function* () {
      const { ownerUrl } = yield* Database
      const owner = yield* Effect.acquireRelease(
        Effect.sync(() => makeSql(ownerUrl, { max: 1, role: null, applicationName: "s2s-erase" })),
        (sql) => Effect.promise(() => sql.end({ timeout: 5 }))
      )
      const plan = yield* Effect.promise(() => planErasure(owner, email, phone))
      yield* print(
        `subject ${plan.subject.slice(0, 16)}…: ${plan.orderKeys.length} order(s), ${plan.streams.length} stream(s), ${plan.phones.length} phone number(s)`
      )
      for (const key of plan.orderKeys) yield* print(`  order ${key}`)
      if (!yes) {
        yield* print("dry run: nothing erased (add --yes to erase)")
        return
      }
      const result = yield* Effect.promise(() =>
        executeErasure(owner, plan, cliActor(), reason._tag === "Some" ? reason.value : undefined)
      )
      yield* print(
        `erased personal data in ${result.events} event(s) and ${result.projectionRows} view row(s); recorded SubjectErased on erasure-${result.subject.slice(0, 16)}…`
      )
      for (const [table, rows] of Object.entries(result.scrubbed))
        yield* print(`  scrubbed the email or a phone number from ${rows} row(s) of ${table}`)
      yield* print("run VACUUM (on every table listed) to drop the old row versions from disk")
    }).pipe(Effect.scoped, Effect.provide(DatabaseReady))
).pipe(Command.withDescription("Erase a data subject's personal data from the event log and views (GDPR)"))
