// The database service against a real PostgreSQL: interruption cancels the query on the server,
// transactions commit, roll back on failure, defect and interruption, nested ones join, and every
// tagged error comes from the real condition that causes it.
import { Deferred, Effect, Exit, Fiber, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DbService, makeDbService, type Sql } from "../../src/db/Db.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"
import { waitUntil } from "../support/wait.js"

let db: DbService
let owner: Sql
let pool: Sql

beforeAll(async () => {
  const url = await freshDatabase()
  owner = ownerSql(url)
  await owner`create table db_probe (id integer primary key, kind integer not null)`
  await owner`grant select, insert, update, delete on db_probe to s2s_app`
  pool = appSql(url, 6)
  db = makeDbService(pool, url)
})
afterAll(() => owner`drop table if exists db_probe`.then(() => undefined))

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const exitOf = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.exit(effect))
const failureOf = async <A, E>(effect: Effect.Effect<A, E>) => {
  const exit = await exitOf(effect)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Option.getOrThrow(Exit.causeOption(exit).pipe(Option.flatMap((c) => Option.fromNullable(failureIn(c)))))
}
const failureIn = (cause: unknown): unknown => {
  const c = cause as { _tag: string; error?: unknown; left?: unknown; right?: unknown }
  if (c._tag === "Fail") return c.error
  if (c._tag === "Sequential" || c._tag === "Parallel") return failureIn(c.left) ?? failureIn(c.right)
  return undefined
}

/** Waits (polling, bounded) until the condition holds. */
const until = (what: string, condition: () => Promise<boolean>) => waitUntil(what, condition, 10_000)

const sleepers = (tag: string) =>
  owner<Array<{ pid: number }>>`
    select pid from pg_stat_activity
    where state = 'active' and datname = current_database() and query like ${`%pg_sleep%${tag}%`} and pid <> pg_backend_pid()`

const rows = () => owner<Array<{ id: number }>>`select id from db_probe order by id`.then((r) => r.map((x) => x.id))

describe("Db.query", () => {
  it("interruption cancels the running query on the server", async () => {
    const fiber = Effect.runFork(db.query("sleep", (sql) => sql`select pg_sleep(60), 'interrupt-me' as tag`))
    await until("the query to run", async () => (await sleepers("interrupt-me")).length === 1)
    await Effect.runPromise(Fiber.interrupt(fiber))
    // Fiber.interrupt returns once the query has ended: nothing is left running.
    expect(await sleepers("interrupt-me")).toEqual([])
  })

  it("interruption cancels a query in a helper that awaits several", async () => {
    const fiber = Effect.runFork(
      db.query("helper", async (sql) => {
        await sql`select 1`
        return sql`select pg_sleep(60), 'helper-sleep' as tag`
      })
    )
    await until("the second query to run", async () => (await sleepers("helper-sleep")).length === 1)
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(await sleepers("helper-sleep")).toEqual([])
  })

  it("fails with UniqueViolation naming the constraint", async () => {
    await run(db.query("insert", (sql) => sql`insert into db_probe values (1, 0)`))
    const error = await failureOf(db.query("insert again", (sql) => sql`insert into db_probe values (1, 0)`))
    expect(error).toMatchObject({ _tag: "UniqueViolation", constraint: "db_probe_pkey", operation: "insert again" })
    // The key's value (possibly personal data) is not in the message.
    expect((error as Error).message).not.toMatch(/\(1\)/)
    await owner`delete from db_probe`
  })

  it("fails with QueryFailed carrying the SQLSTATE", async () => {
    const error = await failureOf(db.query("bad", (sql) => sql`select * from no_such_table`))
    expect(error).toMatchObject({ _tag: "QueryFailed", code: "42P01" })
  })

  it("fails with ConnectionLost when the backend is terminated", async () => {
    const fiber = Effect.runFork(db.query("doomed", (sql) => sql`select pg_sleep(60), 'terminate-me' as tag`))
    await until("the query to run", async () => (await sleepers("terminate-me")).length === 1)
    const [victim] = await sleepers("terminate-me")
    await owner`select pg_terminate_backend(${victim?.pid ?? 0})`
    const exit = await Effect.runPromise(Fiber.await(fiber))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? failureIn(exit.cause) : undefined
    expect(error).toMatchObject({ _tag: "ConnectionLost" })
    // The pool connects again for the next query.
    expect(await run(db.query("after", (sql) => sql`select 1 as one`))).toEqual([{ one: 1 }])
  })
})

describe("Db.withTransaction", () => {
  it("commits on success; queries inside run on the transaction's connection", async () => {
    const pids = await run(
      db.withTransaction(
        Effect.gen(function* () {
          const a = yield* db.query("pid", (sql) => sql<Array<{ pid: number }>>`select pg_backend_pid() as pid`)
          yield* db.query("insert", (sql) => sql`insert into db_probe values (10, 0)`)
          const b = yield* db.query("pid", (sql) => sql<Array<{ pid: number }>>`select pg_backend_pid() as pid`)
          const inside = yield* db.inTransaction
          return { a: a[0]?.pid, b: b[0]?.pid, inside }
        })
      )
    )
    expect(pids.a).toBe(pids.b)
    expect(pids.inside).toBe(true)
    expect(await run(db.inTransaction)).toBe(false)
    expect(await rows()).toEqual([10])
    await owner`delete from db_probe`
  })

  it("rolls back when the effect fails, with its error", async () => {
    const error = await failureOf(
      db.withTransaction(
        Effect.zipRight(
          db.query("insert", (sql) => sql`insert into db_probe values (20, 0)`),
          Effect.fail({ _tag: "Nope" as const })
        )
      )
    )
    expect(error).toEqual({ _tag: "Nope" })
    expect(await rows()).toEqual([])
  })

  it("rolls back on a defect", async () => {
    const exit = await exitOf(
      db.withTransaction(
        Effect.zipRight(
          db.query("insert", (sql) => sql`insert into db_probe values (21, 0)`),
          Effect.dieMessage("boom")
        )
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(await rows()).toEqual([])
  })

  it("rolls back on interruption, also of a query running inside it", async () => {
    const fiber = Effect.runFork(
      db.withTransaction(
        Effect.zipRight(
          db.query("insert", (sql) => sql`insert into db_probe values (22, 0)`),
          db.query("sleep", (sql) => sql`select pg_sleep(60), 'tx-sleep' as tag`)
        )
      )
    )
    await until("the query to run", async () => (await sleepers("tx-sleep")).length === 1)
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(await sleepers("tx-sleep")).toEqual([])
    expect(await rows()).toEqual([])
    // The connection went back to the pool usable and outside any transaction.
    const states = await owner<Array<{ state: string }>>`
      select state from pg_stat_activity
      where application_name = 's2s' and datname = current_database() and state like 'idle in transaction%'`
    expect(states).toEqual([])
  })

  it("a nested withTransaction joins the outer one: its failure rolls back everything", async () => {
    const outerPid = Effect.map(
      db.query("pid", (sql) => sql<Array<{ pid: number }>>`select pg_backend_pid() as pid`),
      (r) => r[0]?.pid
    )
    const pids = await run(
      db.withTransaction(
        Effect.gen(function* () {
          const outer = yield* outerPid
          const inner = yield* db.withTransaction(outerPid)
          return { outer, inner }
        })
      )
    )
    expect(pids.inner).toBe(pids.outer)

    const error = await failureOf(
      db.withTransaction(
        Effect.gen(function* () {
          yield* db.query("outer insert", (sql) => sql`insert into db_probe values (30, 0)`)
          yield* db.withTransaction(
            Effect.zipRight(
              db.query("inner insert", (sql) => sql`insert into db_probe values (31, 0)`),
              Effect.fail("inner failed" as const)
            )
          )
        })
      )
    )
    expect(error).toBe("inner failed")
    expect(await rows()).toEqual([])
  })

  it("a commit the server answers with ROLLBACK (a caught failed query) fails", async () => {
    const error = await failureOf(
      db.withTransaction(
        Effect.gen(function* () {
          yield* db.query("insert", (sql) => sql`insert into db_probe values (40, 0)`)
          yield* Effect.ignore(db.query("bad", (sql) => sql`select * from no_such_table`))
        })
      )
    )
    expect(error).toMatchObject({ _tag: "QueryFailed", code: "TRANSACTION_ROLLED_BACK" })
    expect(await rows()).toEqual([])
  })

  it("fails with SerializationFailure when two serializable transactions write skew", async () => {
    await owner`insert into db_probe values (50, 1), (51, 2)`
    // Each reads the rows of one kind and writes a row of the other: no serial order explains both.
    const skew = (
      read: number,
      write: number,
      id: number,
      readDone: Deferred.Deferred<void>,
      other: Deferred.Deferred<void>
    ) =>
      db.withTransaction(
        Effect.gen(function* () {
          yield* db.query("isolation", (sql) => sql`set transaction isolation level serializable`)
          yield* db.query("read", (sql) => sql`select count(*) from db_probe where kind = ${read}`)
          yield* Deferred.succeed(readDone, undefined)
          yield* Deferred.await(other)
          yield* db.query("write", (sql) => sql`insert into db_probe values (${id}, ${write})`)
        })
      )
    const outcome = await run(
      Effect.gen(function* () {
        const aRead = yield* Deferred.make<void>()
        const bRead = yield* Deferred.make<void>()
        return yield* Effect.all(
          [Effect.exit(skew(1, 2, 52, aRead, bRead)), Effect.exit(skew(2, 1, 53, bRead, aRead))],
          {
            concurrency: 2
          }
        )
      })
    )
    const failures = outcome.filter(Exit.isFailure).map((e) => failureIn(e.cause))
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ _tag: "SerializationFailure", code: "40001" })
    await owner`delete from db_probe`
  })
})
