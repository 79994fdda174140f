// Console sessions: an API token exchanged for a session cookie. The cookie holds 32 random bytes;
// only their SHA-256 is stored (console_sessions). A session lasts S2S_CONSOLE_SESSION_TTL (default
// 12 h) from log-in, ends at log-out, and stops working the moment its token is revoked. Log-in and
// log-out are events on console-session-{id} with the token as actor, recorded in the transaction that
// writes the session row. Ingest tokens open no console.
import { createHash, randomBytes } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Db, type DbError } from "../../db/Db.js"
import { appendInTransaction } from "../../events/EventStore.js"
import { consoleSessionStream } from "../../events/streams.js"
import { type Principal, Tokens } from "../../tokens/Tokens.js"
import { ConsoleConfig } from "../config.js"

export interface ConsoleUser {
  readonly sessionId: string
  readonly principal: Principal
  readonly expiresAt: Date
}

export type LoginOutcome =
  | { readonly _tag: "LoggedIn"; readonly user: ConsoleUser; readonly secret: string }
  | { readonly _tag: "Refused"; readonly reason: "unknown_token" | "ingest_token" }

export interface SessionsService {
  readonly login: (token: string) => Effect.Effect<LoginOutcome, DbError>
  /** The session a cookie names, while it is valid. */
  readonly resolve: (secret: string) => Effect.Effect<ConsoleUser | undefined, DbError>
  readonly logout: (user: ConsoleUser) => Effect.Effect<void, DbError>
}

export class Sessions extends Context.Tag("app/console/Sessions")<Sessions, SessionsService>() {}

const digest = (secret: string) => createHash("sha256").update(secret).digest()

export const actorOf = (user: ConsoleUser) => `token:${user.principal.tokenId}`

export const SessionsLive = Layer.effect(
  Sessions,
  Effect.gen(function* () {
    const db = yield* Db
    const tokens = yield* Tokens
    const settings = yield* ConsoleConfig

    const login = Effect.fn("Console.login")(function* (token: string) {
      const principal = yield* tokens.verify(token.trim())
      if (principal === undefined) return { _tag: "Refused", reason: "unknown_token" } satisfies LoginOutcome
      if (principal.scope === "ingest") return { _tag: "Refused", reason: "ingest_token" } satisfies LoginOutcome
      const sessionId = `ses_${randomBytes(9).toString("hex")}`
      const secret = randomBytes(32).toString("base64url")
      const expiresAt = new Date(Date.now() + settings.sessionTtlMs)
      yield* db.withTransaction(
        db.query("Console.login", async (tx) => {
          await tx`
          insert into console_sessions (session_id, secret_sha256, token_id, scope, expires_at)
          values (${sessionId}, ${digest(secret)}, ${principal.tokenId}, ${principal.scope}, ${expiresAt})`
          await appendInTransaction(
            tx,
            [
              {
                streamId: consoleSessionStream(sessionId),
                expectedVersion: "no_stream",
                events: [
                  {
                    _tag: "ConsoleSessionStarted",
                    sessionId,
                    tokenId: principal.tokenId,
                    scope: principal.scope,
                    expiresAt: expiresAt.toISOString()
                  }
                ]
              }
            ],
            { metadata: { actor: `token:${principal.tokenId}`, source: "console:login" } }
          )
        })
      )
      return { _tag: "LoggedIn", user: { sessionId, principal, expiresAt }, secret } satisfies LoginOutcome
    })

    const resolve = (secret: string) =>
      secret === ""
        ? Effect.succeed(undefined)
        : db
            .query(
              "Console.session",
              (sql) => sql<
                Array<{ session_id: string; token_id: string; scope: Principal["scope"]; expires_at: Date }>
              >`
                select s.session_id, s.token_id, s.scope, s.expires_at
                from console_sessions s join api_tokens t on t.token_id = s.token_id
                where s.secret_sha256 = ${digest(secret)} and s.ended_at is null and s.expires_at > now()
                  and t.revoked_at is null`
            )
            .pipe(
              Effect.map((rows) => {
                const row = rows[0]
                return row === undefined
                  ? undefined
                  : {
                      sessionId: row.session_id,
                      principal: { tokenId: row.token_id, scope: row.scope, sourceId: null },
                      expiresAt: row.expires_at
                    }
              })
            )

    const logout = (user: ConsoleUser) =>
      db.withTransaction(
        db.query("Console.logout", async (tx) => {
          const ended = await tx`
          update console_sessions set ended_at = now() where session_id = ${user.sessionId} and ended_at is null`
          if (ended.count === 0) return
          await appendInTransaction(
            tx,
            [
              {
                streamId: consoleSessionStream(user.sessionId),
                expectedVersion: "any",
                events: [{ _tag: "ConsoleSessionEnded", sessionId: user.sessionId, reason: "logout" }]
              }
            ],
            { metadata: { actor: actorOf(user), source: "console:logout" } }
          )
        })
      )

    return Sessions.of({ login, resolve, logout })
  })
)
