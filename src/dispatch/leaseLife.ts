// A dispatch run's lease as Effects (the SQL is in leases.ts): taken with the batch's other leases in
// one statement, or alone if that statement failed, with the run's one holder token both times (a
// failed statement whose commit landed leaves the lease the run's own, not held until its TTL runs
// out); and released, when the outcome's commit did not release it, in the background if the
// database is what failed the run (its next run would otherwise wait out the TTL).
import { Effect, Schedule } from "effect"
import type { DbError, DbService } from "../db/Db.js"
import type { BatchedIo } from "./batched.js"
import { acquireLease, newHolder, releaseLease } from "./leases.js"

/** The lease a run holds; `released` is set by the commit that releases it with the outcome. */
export interface HeldLease {
  readonly key: string
  readonly holder: string
  released: boolean
}

export const makeLeaseLife = (db: DbService, io: BatchedIo) => {
  /** The lease, or undefined when another run holds it. */
  const take = (
    key: string,
    ttlMs: number,
    pool: string | undefined
  ): Effect.Effect<HeldLease | undefined, DbError> => {
    const token = newHolder()
    return io.acquireLease(key, ttlMs, pool, token).pipe(
      Effect.orElse(() => db.query("Dispatcher.lease", (sql) => acquireLease(sql, key, ttlMs, pool, token))),
      Effect.map((holder) => (holder === undefined ? undefined : { key, holder, released: false }))
    )
  }

  /** Releases the lease unless the outcome's commit did; never fails (see the header). */
  const releaseLeftover = (lease: HeldLease): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (lease.released) return Effect.void
      const release = db.query("Dispatcher.release", (sql) => releaseLease(sql, lease.key, lease.holder))
      return release.pipe(
        Effect.catchAll(() =>
          Effect.forkDaemon(
            release.pipe(Effect.retry(Schedule.spaced("1 second").pipe(Schedule.upTo("2 minutes"))), Effect.ignore)
          )
        ),
        Effect.asVoid
      )
    })

  return { take, releaseLeftover }
}
