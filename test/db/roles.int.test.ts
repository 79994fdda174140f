// Running with a restricted login: a role that is only a member of s2s_app, with the owner's login
// used for migrations alone (MIGRATION_DATABASE_URL). Such a login cannot rewrite the event log even
// after `SET ROLE NONE`, and the service (event store and worker) runs on it. Roles are cluster-wide:
// the role gets a unique name and is dropped afterwards.
import { randomBytes, randomUUID } from "node:crypto"
import { Effect, Exit, Layer, Schema, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { DbLive, makeSql, type Sql } from "../../src/db/Db.js"
import { MigrationsLive, migrate } from "../../src/db/Migrator.js"
import { EventStore, EventStoreLive } from "../../src/events/EventStore.js"
import { defineTask } from "../../src/jobs/task.js"
import { WorkerLive, WorkerTasks } from "../../src/jobs/Worker.js"
import { freshDatabase, ownerSql } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

const role = `s2s_login_${randomBytes(5).toString("hex")}`
const password = randomBytes(12).toString("hex")
let ownerUrl: string
let loginUrl: string
let owner: Sql
let login: Sql

beforeAll(async () => {
  ownerUrl = await freshDatabase()
  owner = ownerSql(ownerUrl)
  await owner.unsafe(`create role ${role} login password '${password}'`)
  await owner.unsafe(`grant s2s_app to ${role}`)
  const u = new URL(ownerUrl)
  u.username = role
  u.password = password
  loginUrl = u.toString()
  login = makeSql(loginUrl, { max: 2 })
})

afterAll(async () => {
  await login.end({ timeout: 5 })
  await owner.unsafe(`drop owned by ${role}`)
  await owner.unsafe(`drop role ${role}`)
})

const refused = async (statement: string, sql: Sql | Awaited<ReturnType<Sql["reserve"]>> = login) => {
  const error = await sql.unsafe(statement).then(
    () => undefined,
    (e: { code?: string; message?: string }) => e
  )
  expect(error, statement).toBeDefined()
  return error!
}

describe("a restricted login (member of s2s_app, not the owner)", () => {
  it("cannot UPDATE, DELETE or TRUNCATE events, nor disable the guard, even after SET ROLE NONE", async () => {
    await owner`
      insert into events (stream_id, stream_version, event_id, type, data)
      values (${`guard-${randomUUID()}`}, 1, ${randomUUID()}, 'TargetRemoved', '{"targetId":"x"}')`
    for (const statement of ["update events set type = 'x'", "delete from events", "truncate events"])
      expect((await refused(statement)).code).toBe("42501")

    const session = await login.reserve()
    try {
      await session`set role none`
      const [me] = await session<Array<{ user: string; sup: boolean }>>`
        select current_user as user, (select rolsuper from pg_roles where rolname = current_user) as sup`
      expect(me).toEqual({ user: role, sup: false })
      for (const statement of [
        "update events set type = 'x'",
        "delete from events",
        "truncate events",
        "alter table events disable trigger user",
        "drop trigger events_refuse_update_delete on events"
      ])
        expect(["42501"], statement).toContain((await refused(statement, session)).code)
      const [{ name }] = (await owner`select current_user as name`) as unknown as [{ name: string }]
      expect((await refused(`set role ${name}`, session)).code).toBe("42501")
    } finally {
      session.release()
    }
    const [count] = await owner`select count(*)::int as n from events where type = 'x'`
    expect(count!.n).toBe(0)
  })

  it("cannot run the migrations itself: they take the owner's login", async () => {
    await expect(migrate(loginUrl)).rejects.toThrow(/permission denied|must be owner/)
  })

  it("runs the event store and the worker, with migrations on MIGRATION_DATABASE_URL", async () => {
    const task = `probe-${randomUUID().slice(0, 8)}`
    const ran: Array<string> = []
    const probe = defineTask(task, Schema.Struct({ stream: Schema.String }), ({ stream }) =>
      Effect.sync(() => ran.push(stream))
    )
    const database = DatabaseFromUrl(loginUrl, ownerUrl)
    const layer = Layer.mergeAll(
      EventStoreLive,
      WorkerLive.pipe(Layer.provide(Layer.succeed(WorkerTasks, [probe])))
    ).pipe(Layer.provideMerge(DbLive), Layer.provideMerge(MigrationsLive), Layer.provideMerge(database))
    const scope = Effect.runSync(Scope.make())
    try {
      const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
      const stream = `restricted-${randomUUID()}`
      await Effect.runPromise(
        Effect.flatMap(EventStore, (store) =>
          store.append(stream, "no_stream", [{ _tag: "TargetRemoved", targetId: "t" }], {
            jobs: [{ task, payload: { stream } }]
          })
        ).pipe(Effect.provide(context))
      )
      await waitUntil("the job ran", () => ran.length > 0, 20_000)
      expect(ran).toEqual([stream])
      const [row] = await owner`select count(*)::int as n from events where stream_id = ${stream}`
      expect(row!.n).toBe(1)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})
