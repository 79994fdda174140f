// `s2s erase`: what the command defined in ../erase.ts does.
import { Effect } from "effect"
import { Database } from "../../db/Database.js"
import { makeSql } from "../../db/Db.js"
import { executeErasure, planErasure } from "../../privacy/erase.js"
import type { EraseInput } from "../erase.js"
import { cliActor, print } from "../output.js"
import { withDatabaseReady } from "../stages.js"

export const erase = ({ email, phone, yes, reason }: EraseInput) =>
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
  }).pipe(Effect.scoped, withDatabaseReady)
