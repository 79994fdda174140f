// The console's HMAC key: S2S_CONSOLE_SECRET when set (at least 32 characters), else the key
// generated once per database by the migration (console_settings.link_secret), so every process,
// the worker that renders Slack messages and the API that opens the links, holds the same one and
// links survive restarts. Read once per process.
import { Context, Data, Effect, Layer, Option, Redacted } from "effect"
import { Db } from "../../db/Db.js"
import { ConsoleConfig } from "../config.js"

export class ConsoleKeyMissing extends Data.TaggedError("ConsoleKeyMissing")<{ readonly message: string }> {}

export interface ConsoleKeyService {
  readonly key: Effect.Effect<Uint8Array>
}

export class ConsoleKey extends Context.Tag("app/console/ConsoleKey")<ConsoleKey, ConsoleKeyService>() {}

export const MIN_SECRET_LENGTH = 32

export const ConsoleKeyLive = Layer.effect(
  ConsoleKey,
  Effect.gen(function* () {
    const settings = yield* ConsoleConfig
    const db = yield* Db
    if (Option.isSome(settings.secret)) {
      const secret = Redacted.value(settings.secret.value)
      if (secret.length < MIN_SECRET_LENGTH)
        return yield* Effect.dieMessage(
          `S2S_CONSOLE_SECRET must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`
        )
      const key = new Uint8Array(Buffer.from(secret, "utf8"))
      return ConsoleKey.of({ key: Effect.succeed(key) })
    }
    // Kept once read; a failed read (the database away) is tried again by the next caller.
    let cached: Uint8Array | undefined
    const load = db
      .query("Console.key", (sql) => sql<Array<{ link_secret: Buffer }>>`select link_secret from console_settings`)
      .pipe(
        Effect.orDie,
        Effect.flatMap((rows) =>
          rows[0] === undefined
            ? Effect.die(new ConsoleKeyMissing({ message: "console_settings holds no key: run the migrations" }))
            : Effect.sync(() => {
                cached = new Uint8Array(rows[0]!.link_secret)
                return cached
              })
        )
      )
    const stored = Effect.suspend(() => (cached === undefined ? load : Effect.succeed(cached)))
    return ConsoleKey.of({ key: stored })
  })
)
