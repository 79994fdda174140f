// The read models the projector keeps and `s2s projections rebuild` rebuilds, in one list.
import { Layer } from "effect"
import { dispatchFacts } from "../console/facts/dispatchFacts.js"
import { conversions } from "../projections/conversions.js"
import { Projections } from "../projections/Projector.js"
import { streamSummaries } from "../projections/streamSummaries.js"

export const ProjectionsLive = Layer.succeed(Projections, [streamSummaries, conversions, dispatchFacts])
