// A postgres.js callback as an Effect: failures classified (errors.ts), and interruption cancels the
// queries the callback sent (postgres.js `.signal()`: a cancel request to the server) and waits until
// they ended.
import { type Duration, Effect } from "effect"
import { type DbError, toDbError } from "./errors.js"
import type { Queryable } from "./sql.js"

interface BuiltQuery {
  readonly settled: boolean
  readonly cancel: () => Promise<void>
}

const isQuery = (q: unknown): q is BuiltQuery =>
  typeof q === "object" && q !== null && typeof (q as { cancel?: unknown }).cancel === "function" && "settled" in q

/**
 * The connection `f` gets: every query it builds is cancelled when `signal` aborts (a fragment that is
 * never sent ignores it; one listener for all, not one per query). postgres.js queries are lazy
 * promises, so tracking them where they are built covers helpers that await several in turn.
 */
const cancellable = (sql: Queryable, signal: AbortSignal): Queryable => {
  let built: Array<BuiltQuery> = []
  signal.addEventListener(
    "abort",
    () => {
      for (const q of built) if (!q.settled) q.cancel().catch(() => undefined)
      built = []
    },
    { once: true }
  )
  const track = (q: unknown) => {
    if (isQuery(q)) {
      if (signal.aborted) q.cancel().catch(() => undefined)
      else built.push(q)
      // A helper that sends thousands of statements keeps only the unfinished ones.
      if (built.length > 256) built = built.filter((x) => !x.settled)
    }
    return q
  }
  return new Proxy(sql, {
    apply: (target, self, args) => track(Reflect.apply(target, self, args)),
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver) as unknown
      if (property === "unsafe" || property === "file")
        return (...args: Array<unknown>) => track((value as (...a: Array<unknown>) => unknown).apply(target, args))
      return value
    }
  })
}

/** Runs `f` on `sql` as an Effect: interruption cancels its queries and waits until the promise settled. */
export const runOn = <A>(
  sql: Queryable,
  operation: string,
  f: (sql: Queryable) => PromiseLike<A>
): Effect.Effect<A, DbError> =>
  Effect.async<A, DbError>((resume) => {
    const controller = new AbortController()
    let settled: Promise<unknown>
    try {
      const promise = Promise.resolve(f(cancellable(sql, controller.signal)))
      settled = promise.then(
        (a) => resume(Effect.succeed(a)),
        (cause: unknown) => resume(Effect.fail(toDbError(operation, cause)))
      )
    } catch (cause) {
      resume(Effect.fail(toDbError(operation, cause)))
      return
    }
    return Effect.promise(() => {
      controller.abort()
      return settled
    })
  })

/**
 * A database effect bounded by `duration` even when the server stops answering (a stall, a partition):
 * it fails with a TimeoutException at the deadline. Interrupting a query cancels it and waits until it
 * ended (runOn above), which a stopped server never lets happen, so that wait goes on in the
 * background (Effect.disconnect). For checks and best-effort steps that must answer in time (readiness,
 * the metrics scrape, a shutdown's clean-up); not for work whose outcome the caller goes on to rely on.
 */
export const withinDeadline =
  (duration: Duration.DurationInput) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.disconnect, Effect.timeout(duration))
