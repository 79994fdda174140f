// Bearer tokens for the admin API (scopes audit < operate < admin) and for generic ingest sources
// (scope ingest, bound to one source). A token is 32 random bytes with a type prefix and a CRC32
// checksum (so secret scanners can recognise it), shown once; only its SHA-256 is stored.
import { createHash, randomBytes } from "node:crypto"
import { crc32 } from "node:zlib"
import { Context, Effect, Layer } from "effect"
import { Db, type DbError } from "../db/Db.js"
import { appendInTransaction } from "../events/EventStore.js"

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
}

export class Tokens extends Context.Tag("app/Tokens")<Tokens, TokensService>() {}

/** Verified tokens are cached briefly so a busy ingest source does not cost a query per request. */
const CACHE_MS = 30_000

export const TokensLive = Layer.effect(
  Tokens,
  Effect.gen(function* () {
    const db = yield* Db
    const cache = new Map<string, { principal: Principal | undefined; at: number }>()
    return Tokens.of({
      create: ({ scope, sourceId, label, actor }) => {
        const token = generateToken(scope)
        const tokenId = `tok_${randomBytes(6).toString("hex")}`
        return db
          .transaction("Tokens.create", async (tx) => {
            await tx`
              insert into api_tokens (token_id, token_sha256, scope, source_id, label)
              values (${tokenId}, ${sha256(token)}, ${scope}, ${sourceId ?? null}, ${label ?? null})`
            await appendInTransaction(
              tx,
              [
                {
                  streamId: `token-${tokenId}`,
                  expectedVersion: "no_stream",
                  events: [{ _tag: "ApiTokenCreated", tokenId, scope, sourceId, label }]
                }
              ],
              { metadata: { actor } }
            )
          })
          .pipe(Effect.as({ tokenId, token }))
      },
      verify: (token) => {
        if (!wellFormed(token)) return Effect.succeed(undefined)
        const key = sha256(token).toString("hex")
        const hit = cache.get(key)
        if (hit && Date.now() - hit.at < CACHE_MS) return Effect.succeed(hit.principal)
        return db
          .run(
            "Tokens.verify",
            (sql) => sql<Array<{ token_id: string; scope: Scope; source_id: string | null }>>`
              select token_id, scope, source_id from api_tokens
              where token_sha256 = ${sha256(token)} and revoked_at is null`
          )
          .pipe(
            Effect.map((rows) => {
              const row = rows[0]
              const principal = row ? { tokenId: row.token_id, scope: row.scope, sourceId: row.source_id } : undefined
              if (cache.size > 10_000) cache.clear()
              cache.set(key, { principal, at: Date.now() })
              return principal
            })
          )
      },
      revoke: (tokenId, actor) =>
        db.transaction("Tokens.revoke", async (tx) => {
          const result =
            await tx`update api_tokens set revoked_at = now() where token_id = ${tokenId} and revoked_at is null`
          if (result.count === 0) return false
          cache.clear()
          await appendInTransaction(
            tx,
            [{ streamId: `token-${tokenId}`, expectedVersion: "any", events: [{ _tag: "ApiTokenRevoked", tokenId }] }],
            { metadata: { actor } }
          )
          return true
        })
    })
  })
)
