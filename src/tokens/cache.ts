// The per-process cache of verified tokens, and the rule that bounds how long a revoked token can
// still be accepted from it: REVOCATION_BOUND_MS, in every process, whatever the state of the
// revocation listener (revocations.ts).
//
// - While the listener is confirmed alive, a NOTIFY empties the cache the moment a revocation
//   commits, so entries may live up to MAX_AGE_MS. "Confirmed" means: a ping on the listening
//   connection that *started* less than REVOCATION_BOUND_MS ago came back. PostgreSQL delivers a
//   pending notification to an idle listening session before it answers its next query, so every
//   revocation committed before that ping started has already emptied the cache.
// - Otherwise (listener down, reconnecting, or its connection silently stalled) an entry is trusted
//   only for REVOCATION_BOUND_MS after it was read from the database: the short fallback cache.
//
// A lookup that started before an invalidation must not put its (possibly stale) answer back: each
// entry is stored only when the cache generation is still the one the lookup started under.
import type { Principal } from "./Tokens.js"

export const REVOCATION_BOUND_MS = 900
export const MAX_AGE_MS = 60_000
const MAX_ENTRIES = 10_000

export interface CachedPrincipal {
  readonly principal: Principal | undefined
  readonly fetchedAt: number
}

/** Whether a cached answer may still be used at `now` (pure; the rule above). */
export const usable = (entry: CachedPrincipal, now: number, confirmedAt: number | undefined): boolean => {
  const age = now - entry.fetchedAt
  if (age < 0 || age >= MAX_AGE_MS) return false
  if (age < REVOCATION_BOUND_MS) return true
  return confirmedAt !== undefined && now - confirmedAt < REVOCATION_BOUND_MS
}

export class TokenCache {
  private readonly entries = new Map<string, CachedPrincipal>()
  private generation = 0
  private confirmedAt: number | undefined = undefined

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): CachedPrincipal | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (usable(entry, this.now(), this.confirmedAt)) return entry
    this.entries.delete(key)
    return undefined
  }

  /** The generation a lookup starts under; pass it back to `set`. */
  begin(): number {
    return this.generation
  }

  set(key: string, principal: Principal | undefined, generation: number, fetchedAt: number): void {
    if (generation !== this.generation) return
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
    this.entries.set(key, { principal, fetchedAt })
  }

  /** A revocation (or a listener that may have missed one): forget everything. */
  invalidate(): void {
    this.generation++
    this.entries.clear()
  }

  /** A ping that started at `startedAt` came back on the listening connection. */
  confirm(startedAt: number): void {
    if (this.confirmedAt === undefined || startedAt > this.confirmedAt) this.confirmedAt = startedAt
  }

  /** The listener is gone: only the short fallback applies until it is confirmed again. */
  unconfirm(): void {
    this.confirmedAt = undefined
  }

  get size(): number {
    return this.entries.size
  }
}
