// A real Dispatcher (the real channel adapters, the real event store) on a given database, as one
// worker process has it: its own breakers, permits and pool. Two of these on one database are two
// workers; dispatchOnce.ts runs one in a child process, which a test can SIGSTOP and SIGCONT.
import { Effect, Layer, ManagedRuntime } from "effect"
import { AlertingNone } from "../../../../src/alerts/Alerting.js"
import { DatabaseFromUrl } from "../../../../src/db/Database.js"
import { BreakersLive } from "../../../../src/dispatch/Breakers.js"
import { ChannelsLive } from "../../../../src/dispatch/channels/registry.js"
import { Dispatcher, DispatcherLive } from "../../../../src/dispatch/Dispatcher.js"
import { makeCore } from "../../../../src/main.js"
import type { DispatchJobPayload } from "../../../../src/rules/plan.js"

export const dispatcherRuntime = (databaseUrl: string) =>
  ManagedRuntime.make(
    DispatcherLive.pipe(
      Layer.provideMerge(Layer.mergeAll(ChannelsLive, BreakersLive)),
      Layer.provideMerge(AlertingNone),
      Layer.provideMerge(makeCore(DatabaseFromUrl(databaseUrl)))
    )
  )

export type DispatcherRuntime = ReturnType<typeof dispatcherRuntime>

export const dispatchWith = (runtime: DispatcherRuntime, payload: DispatchJobPayload) =>
  runtime.runPromise(Effect.flatMap(Dispatcher, (d) => d.run(payload)))
