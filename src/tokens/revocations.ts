// Keeps a process's token cache honest: one dedicated connection LISTENs on s2s_token_revoked
// (notified by sql/0006_tokens.sql when a token is revoked or deleted) and empties the cache on every
// notification. The connection is pinged every PING_MS: each answered ping confirms the cache
// (cache.ts explains why that bounds revocation), a ping that does not answer within PING_TIMEOUT_MS
// (a stalled or black-holed connection) or a closed connection drops the confirmation, ends the
// connection and starts a new one. Every new LISTEN empties the cache, since notifications sent
// while nobody listened are lost.
//
// Started on the first token check, so commands that never check a token open no connection.
import { Data, Deferred, Duration, Effect, Exit, Schedule, type Scope } from "effect"
import postgres from "postgres"
import type { TokenCache } from "./cache.js"

export const REVOCATION_CHANNEL = "s2s_token_revoked"
const PING_MS = 250
const PING_TIMEOUT_MS = 500
const RECONNECT_MS = 500

class ListenerDown extends Data.TaggedError("ListenerDown")<{ readonly message: string }> {}

/** One listening session, until its connection closes or a ping fails. */
const session = (url: string, cache: TokenCache) =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<void>()
    const sql = yield* Effect.acquireRelease(
      Effect.sync(() =>
        postgres(url, {
          max: 1,
          idle_timeout: 0,
          max_lifetime: 0,
          connect_timeout: 5,
          fetch_types: false,
          onnotice: () => {},
          // Called for every notification on this instance's connection (postgres.js 4 types it).
          onnotify: () => cache.invalidate(),
          onclose: () => {
            cache.unconfirm()
            Deferred.unsafeDone(closed, Exit.void)
          },
          connection: { application_name: "s2s-token-listener" }
        })
      ),
      (sql) =>
        Effect.sync(() => cache.unconfirm()).pipe(
          Effect.zipRight(Effect.promise(() => sql.end({ timeout: 0 }).catch(() => undefined)))
        )
    )
    yield* Effect.tryPromise(() => sql.unsafe(`listen ${REVOCATION_CHANNEL}`))
    cache.invalidate()
    const ping = Effect.gen(function* () {
      const startedAt = Date.now()
      yield* Effect.tryPromise(() => sql`select 1`).pipe(
        Effect.timeoutFail({
          duration: PING_TIMEOUT_MS,
          onTimeout: () => new ListenerDown({ message: "ping timed out" })
        })
      )
      cache.confirm(startedAt)
    })
    yield* Effect.raceFirst(
      ping.pipe(Effect.repeat(Schedule.spaced(Duration.millis(PING_MS))), Effect.zipRight(Effect.never)),
      Deferred.await(closed).pipe(Effect.zipRight(Effect.fail(new ListenerDown({ message: "connection closed" }))))
    )
  }).pipe(Effect.scoped)

/** Runs the listener in the background for the life of `scope`, reconnecting forever. */
export const startRevocationListener = (url: string, cache: TokenCache, scope: Scope.Scope): Effect.Effect<void> =>
  session(url, cache).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logDebug("token revocation listener lost its connection; reconnecting", cause)
    ),
    Effect.repeat(Schedule.spaced(Duration.millis(RECONNECT_MS))),
    Effect.forkIn(scope),
    Effect.asVoid
  )
