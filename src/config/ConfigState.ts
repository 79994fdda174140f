// The configuration every stage reads: folded from the config streams, cached in memory, reloaded
// when any config stream changes (a cheap fingerprint poll, so every process picks up an apply made
// elsewhere within a couple of seconds). `apply` records a validated file as events.
import { Config, Context, Effect, Layer, Ref, Schedule } from "effect"
import { Db, type DbError } from "../db/Db.js"
import type { ConfigFile } from "../events/configSchema.js"
import { decodeStored, EventStore, type WrongExpectedVersion } from "../events/EventStore.js"
import { categoryFingerprint, readCategory } from "../events/reads.js"
import { planConfigChanges } from "./diff.js"
import { CONFIG_PREFIX, type ConfigSnapshot, emptySnapshot, foldConfig } from "./state.js"

export interface ApplyResult {
  readonly events: number
  readonly changes: ReadonlyArray<string>
}

export interface ConfigStateService {
  readonly current: Effect.Effect<ConfigSnapshot>
  readonly refresh: Effect.Effect<ConfigSnapshot, DbError>
  readonly apply: (
    file: ConfigFile,
    metadata: { readonly actor: string; readonly source?: string }
  ) => Effect.Effect<ApplyResult, DbError | WrongExpectedVersion>
}

export class ConfigState extends Context.Tag("app/ConfigState")<ConfigState, ConfigStateService>() {}

const fingerprint = (db: Db["Type"]) =>
  db.query("ConfigState.fingerprint", (sql) => categoryFingerprint(sql, CONFIG_PREFIX))

// Config streams are small; read them whole, straight from the log: an apply that just committed must
// be visible to the next read in this process.
const load = (db: Db["Type"]) =>
  db
    .query("ConfigState.load", (sql) => readCategory(sql, CONFIG_PREFIX))
    .pipe(Effect.map((events) => foldConfig(events.map(decodeStored))))

const describe = (append: { streamId: string; events: ReadonlyArray<{ _tag: string }> }) =>
  `${append.events.map((e) => e._tag).join(", ")} (${append.streamId.slice(CONFIG_PREFIX.length)})`

export const ConfigStateLive = Layer.scoped(
  ConfigState,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const pollMs = yield* Config.integer("S2S_CONFIG_POLL_MS").pipe(Config.withDefault(2000))
    const state = yield* Ref.make<{ snapshot: ConfigSnapshot; fingerprint: string }>({
      snapshot: emptySnapshot,
      fingerprint: ""
    })
    const refresh = Effect.gen(function* () {
      const print = yield* fingerprint(db)
      const current = yield* Ref.get(state)
      if (print === current.fingerprint) return current.snapshot
      const snapshot = yield* load(db)
      yield* Ref.set(state, { snapshot, fingerprint: print })
      return snapshot
    })
    yield* refresh.pipe(Effect.orDie)
    yield* refresh.pipe(
      Effect.catchAll((error) => Effect.logWarning("could not reload the configuration", error)),
      Effect.repeat(Schedule.spaced(`${pollMs} millis`)),
      Effect.forkScoped
    )
    return ConfigState.of({
      current: Effect.map(Ref.get(state), (s) => s.snapshot),
      refresh,
      apply: (file, metadata) =>
        Effect.gen(function* () {
          const current = yield* refresh
          const appends = planConfigChanges(current, file)
          if (appends.length === 0) return { events: 0, changes: [] }
          yield* store.appendMany(appends, { metadata })
          yield* refresh
          return { events: appends.reduce((n, a) => n + a.events.length, 0), changes: appends.map(describe) }
        })
    })
  })
)
