// Bearer tokens for the admin API (scopes audit < operate < admin) and for generic ingest sources
// (scope ingest, bound to one source). A token is 32 random bytes with a type prefix and a CRC32
// checksum (so secret scanners can recognise it), shown once; only its SHA-256 is stored. A revoked
// token stops working in every process within cache.ts's bound (LISTEN/NOTIFY, revocations.ts);
// each token's last use is recorded about once a minute.
import { createHash, randomBytes } from "node:crypto"
import { crc32 } from "node:zlib"
import { Context, Effect, Layer, Runtime } from "effect"
import { Db, type DbError } from "../db/Db.js"
import { appendInTransaction } from "../events/EventStore.js"
import { tokenStream } from "../events/streams.js"
import { TokenCache } from "./cache.js"
import { startRevocationListener } from "./revocations.js"

export const Scopes = ["audit", "operate", "admin", "ingest"] as const
export type Scope = (typeof Scopes)[number]

export interface Principal {
  readonly tokenId: string
  readonly scope: Scope
  readonly sourceId: string | null
}

const RANK: Record<Exclude<Scope, "ingest">, number> = { audit: 1, operate: 2, admin: 3 }

/** admin can do what operate can, operate what audit can; ingest tokens only ingest. */
export const allows = (principal: Principal, needed: Exclude<Scope, "ingest">) =>
  principal.scope !== "ingest" && RANK[principal.scope] >= RANK[needed]

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const base62 = (bytes: Buffer, length: number) => {
  let n = BigInt(`0x${bytes.toString("hex")}`)
  let out = ""
  while (out.length < length) {
    out = BASE62[Number(n % 62n)] + out
    n /= 62n
  }
  return out
}

export const tokenPrefix = (scope: Scope) => `s2s_${scope}_`

export const generateToken = (scope: Scope) => {
  const body = base62(randomBytes(32), 43)
  const check = base62(Buffer.from(crc32(body).toString(16).padStart(8, "0"), "hex"), 6)
  return `${tokenPrefix(scope)}${body}${check}`
}

/** Cheap syntax + checksum check before any database lookup. */
export const wellFormed = (token: string) => {
  const match = /^s2s_(audit|operate|admin|ingest)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/.exec(token)
  if (!match) return false
  const expected = base62(Buffer.from(crc32(match[2]!).toString(16).padStart(8, "0"), "hex"), 6)
  return expected === match[3]
}

export const sha256 = (token: string) => createHash("sha256").update(token).digest()

export interface TokenInfo {
  readonly tokenId: string
  readonly scope: Scope
  readonly sourceId: string | null
  readonly label: string | null
  readonly createdAt: Date
  /** Accurate to about a minute (see LAST_USE_INTERVAL_MS); null when never used. */
  readonly lastUsedAt: Date | null
  readonly revokedAt: Date | null
}

export interface TokensService {
  readonly create: (input: {
    readonly scope: Scope
    readonly sourceId?: string | undefined
    readonly label?: string | undefined
    readonly actor: string
  }) => Effect.Effect<{ readonly tokenId: string; readonly token: string }, DbError>
  /** The principal for a presented token, or undefined (unknown, revoked, malformed). */
  readonly verify: (token: string) => Effect.Effect<Principal | undefined, DbError>
  readonly revoke: (tokenId: string, actor: string) => Effect.Effect<boolean, DbError>
  /** Every token ever created, newest first (never the token or its hash). */
  readonly list: Effect.Effect<ReadonlyArray<TokenInfo>, DbError>
}

export class Tokens extends Context.Tag("app/Tokens")<Tokens, TokensService>() {}

/** A token's last use is written at most this often per process: not one write per request. */
export const LAST_USE_INTERVAL_MS = 60_000

export const TokensLive = Layer.scoped(
  Tokens,
  Effect.gen(function* () {
    const db = yield* Db
    const scope = yield* Effect.scope
    // Verified tokens are cached so a busy ingest source does not cost a query per request; the
    // revocation listener keeps the cache within cache.ts's bound of every revocation.
    const cache = new TokenCache()
    const startListener = yield* Effect.cached(startRevocationListener(db.url, cache, scope))
    const lastUseWritten = new Map<string, number>()
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())

    const recordUse = (tokenId: string) => {
      const now = Date.now()
      const last = lastUseWritten.get(tokenId)
      if (last !== undefined && now - last < LAST_USE_INTERVAL_MS) return
      if (lastUseWritten.size > 10_000) lastUseWritten.clear()
      lastUseWritten.set(tokenId, now)
      // Off the request's path; a lost write only makes "last use" a minute older.
      runFork(
        db
          .query(
            "Tokens.recordUse",
            (sql) => sql`
              update api_tokens set last_used_at = now()
              where token_id = ${tokenId}
                and (last_used_at is null or last_used_at < now() - ${`${LAST_USE_INTERVAL_MS} milliseconds`}::interval)`
          )
          .pipe(Effect.catchAll((error) => Effect.logDebug("could not record a token's last use", error)))
      )
    }

    const lookup = (token: string) =>
      Effect.suspend(() => {
        const generation = cache.begin()
        const fetchedAt = Date.now()
        return db
          .query(
            "Tokens.verify",
            (sql) => sql<Array<{ token_id: string; scope: Scope; source_id: string | null }>>`
              select token_id, scope, source_id from api_tokens
              where token_sha256 = ${sha256(token)} and revoked_at is null`
          )
          .pipe(
            Effect.map((rows) => {
              const row = rows[0]
              const principal = row ? { tokenId: row.token_id, scope: row.scope, sourceId: row.source_id } : undefined
              cache.set(sha256(token).toString("hex"), principal, generation, fetchedAt)
              return principal
            })
          )
      })

    return Tokens.of({
      create: ({ scope, sourceId, label, actor }) => {
        const token = generateToken(scope)
        const tokenId = `tok_${randomBytes(6).toString("hex")}`
        return db
          .withTransaction(
            db.query("Tokens.create", async (tx) => {
              await tx`
              insert into api_tokens (token_id, token_sha256, scope, source_id, label)
              values (${tokenId}, ${sha256(token)}, ${scope}, ${sourceId ?? null}, ${label ?? null})`
              await appendInTransaction(
                tx,
                [
                  {
                    streamId: tokenStream(tokenId),
                    expectedVersion: "no_stream",
                    events: [{ _tag: "ApiTokenCreated", tokenId, scope, sourceId, label }]
                  }
                ],
                { metadata: { actor } }
              )
            })
          )
          .pipe(Effect.as({ tokenId, token }))
      },
      verify: (token) =>
        Effect.gen(function* () {
          if (!wellFormed(token)) return undefined
          yield* startListener
          const hit = cache.get(sha256(token).toString("hex"))
          const principal = hit === undefined ? yield* lookup(token) : hit.principal
          if (principal !== undefined) recordUse(principal.tokenId)
          return principal
        }),
      revoke: (tokenId, actor) =>
        db.withTransaction(
          db.query("Tokens.revoke", async (tx) => {
            // The update's trigger (sql/0006_tokens.sql) notifies every process at commit.
            const result =
              await tx`update api_tokens set revoked_at = now() where token_id = ${tokenId} and revoked_at is null`
            if (result.count === 0) return false
            cache.invalidate()
            await appendInTransaction(
              tx,
              [
                {
                  streamId: tokenStream(tokenId),
                  expectedVersion: "any",
                  events: [{ _tag: "ApiTokenRevoked", tokenId }]
                }
              ],
              { metadata: { actor } }
            )
            return true
          })
        ),
      list: db
        .query(
          "Tokens.list",
          (sql) => sql<
            Array<{
              token_id: string
              scope: Scope
              source_id: string | null
              label: string | null
              created_at: Date
              last_used_at: Date | null
              revoked_at: Date | null
            }>
          >`
            select token_id, scope, source_id, label, created_at, last_used_at, revoked_at
            from api_tokens order by created_at desc, token_id`
        )
        .pipe(
          Effect.map((rows) =>
            rows.map((r) => ({
              tokenId: r.token_id,
              scope: r.scope,
              sourceId: r.source_id,
              label: r.label,
              createdAt: r.created_at,
              lastUsedAt: r.last_used_at,
              revokedAt: r.revoked_at
            }))
          )
        )
    })
  })
)
