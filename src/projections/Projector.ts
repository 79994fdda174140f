// Runs every registered projection continuously: one fiber per projection, polling in commit-safe
// order, applying batches with the checkpoint compare-and-set. Several processes may run it; the
// advisory lock lets one apply each batch. Lag is exported to /metrics.
//
// A projection this process has caught up polls only the readable horizon (store.ts readableHorizon,
// one index read shared by every projection of the process) until it moves past where it stopped;
// nothing new is readable before that. An idle process made 6 statements per projection and poll
// (generation, begin, lock, checkpoint, page, commit): 90 a second for three projections at the 200 ms
// default, a third of all its statements at 10 orders/s. Now 5 a second, and a full round at least
// every HORIZON_TRUST_MS all the same (a rebuild's swap, a checkpoint another process moved).
import { Config, Context, Duration, Effect, Layer, Schedule } from "effect"
import { Db, type DbError } from "../db/Db.js"
import { type Checkpoint, readableHorizon } from "../events/store.js"
import { projectionLagEvents, projectionLagSeconds } from "../lib/metrics.js"
import type { Projection } from "./Projection.js"
import { activeGeneration, after, applyBatch, ensureRegistered, lag } from "./runner.js"

export class Projections extends Context.Tag("app/projections/Projections")<Projections, ReadonlyArray<Projection>>() {}

const ProjectorConfig = Config.all({
  pollMs: Config.integer("PROJECTION_POLL_MS").pipe(Config.withDefault(200)),
  batchSize: Config.integer("PROJECTION_BATCH_SIZE").pipe(Config.withDefault(500)),
  // Stored size of the events' data per batch (compressed for large values): a batch of 500 large
  // orders would otherwise be read and decoded at once (npm run bench -- bodies, 7,000 line items: RSS peak 1.6 GB with batches of 500, 0.9 GB with 2 MiB).
  batchBytes: Config.integer("PROJECTION_BATCH_BYTES").pipe(Config.withDefault(1024 * 1024))
})

/** A caught-up projection still makes a full round this often, whatever the horizon says. */
export const HORIZON_TRUST_MS = 5_000

const follow = (projection: Projection, horizon: Effect.Effect<Checkpoint | undefined, DbError>) =>
  Effect.gen(function* () {
    const db = yield* Db
    const config = yield* ProjectorConfig
    yield* db.query("Projector.register", (sql) => ensureRegistered(sql, projection.name))
    // Where this process left the projection with nothing more readable, and when.
    let caughtUp: { readonly at: Checkpoint; readonly since: number } | undefined
    const step = Effect.gen(function* () {
      if (caughtUp !== undefined && Date.now() - caughtUp.since < HORIZON_TRUST_MS) {
        const head = yield* horizon
        if (head === undefined || !after(head, caughtUp.at)) return yield* Effect.sleep(Duration.millis(config.pollMs))
      }
      caughtUp = undefined
      const generation = yield* db.query("Projector.generation", (sql) => activeGeneration(sql, projection.name))
      const result = yield* db.withTransaction(
        db.query("Projector.batch", (tx) =>
          applyBatch(tx, projection, generation, config.batchSize, undefined, config.batchBytes)
        )
      )
      if (result._tag === "Applied" && result.more !== true) caughtUp = { at: result.checkpoint, since: Date.now() }
      // A full (or byte-capped) batch means more is waiting: go again at once; otherwise wait for the next poll.
      if (result._tag === "Locked" || result.more !== true) yield* Effect.sleep(Duration.millis(config.pollMs))
    })
    yield* step.pipe(
      Effect.tapError((error) => Effect.logWarning(`projection ${projection.name} batch failed; retrying`, error)),
      Effect.retry(Schedule.exponential("200 millis").pipe(Schedule.union(Schedule.spaced("10 seconds")))),
      Effect.forever
    )
  }).pipe(Effect.annotateLogs({ service: "Projector", projection: projection.name }))

const measureLag = (projection: Projection) =>
  Effect.gen(function* () {
    const db = yield* Db
    const generation = yield* db.query("Projector.generation", (sql) => activeGeneration(sql, projection.name))
    const l = yield* db.query("Projector.lag", (sql) => lag(sql, projection.name, generation))
    projectionLagEvents.set({ projection: projection.name }, l.events)
    projectionLagSeconds.set({ projection: projection.name }, l.seconds)
  }).pipe(Effect.ignore, Effect.repeat(Schedule.spaced("5 seconds")))

export const ProjectorLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    const projections = yield* Projections
    const db = yield* Db
    const { pollMs } = yield* ProjectorConfig
    // One read of the horizon per poll for every projection of the process.
    const horizon = yield* Effect.cachedWithTTL(
      db.query("Projector.horizon", readableHorizon),
      Duration.millis(Math.max(1, Math.floor(pollMs / 2)))
    )
    for (const p of projections) {
      yield* Effect.forkScoped(follow(p, horizon))
      yield* Effect.forkScoped(measureLag(p))
    }
    yield* Effect.logInfo(`projector following ${projections.map((p) => p.name).join(", ")}`)
  })
)
