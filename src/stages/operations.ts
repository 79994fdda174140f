// Operator actions (re-dispatch, re-normalization, re-planning) as one layer, for the API (main.ts)
// and the CLI (`s2s redispatch`, `renormalize`, `replan`, `config apply`), which loads this without
// the HTTP server, the worker or graphile-worker.
import { Layer } from "effect"
import { AlertingNone } from "../alerts/Alerting.js"
import { NormalizerLive } from "../normalize/NormalizeJob.js"
import { RedispatchLive } from "../operations/redispatch/Redispatch.js"
import { RenormalizeLive } from "../operations/renormalize/Renormalize.js"
import { ReplanLive } from "../operations/replan/Replan.js"

/** Their Normalizer only dry-runs (confirmations enqueue the normalize job), so it never raises alerts. */
export const OperationsLive = Layer.mergeAll(RedispatchLive, RenormalizeLive, ReplanLive).pipe(
  // fresh: layers are memoized by reference, so the worker's Normalizer would otherwise be this one,
  // built without alerting.
  Layer.provide(Layer.fresh(NormalizerLive).pipe(Layer.provide(AlertingNone)))
)
