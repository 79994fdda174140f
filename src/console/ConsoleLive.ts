// The web console's layers, for main.ts: its API groups (with the session middleware and the services
// behind it), its pages and assets, and the signed links alerts put in Slack messages.
import { Layer } from "effect"
import type { ConfigValidator } from "../config/load.js"
import { ConsoleStaticLive } from "./assets/ConsoleStaticLive.js"
import { ConsoleHttpLive } from "./http/ConsoleHttp.js"
import { ConsolePublicHttpLive } from "./http/PublicHttp.js"
import { ConsoleKeyLive } from "./links/ConsoleKey.js"
import { OrderLinksLive } from "./links/OrderLinksLive.js"
import { ConsoleAuthLive } from "./session/ConsoleAuth.js"
import { SessionsLive } from "./session/Sessions.js"

const ServicesLive = ConsoleAuthLive.pipe(Layer.provideMerge(SessionsLive), Layer.provideMerge(ConsoleKeyLive))

/** The console API groups; `validators` check a what-if configuration as `config apply` does. */
export const ConsoleApiLive = (validators: ReadonlyArray<ConfigValidator>) =>
  Layer.mergeAll(ConsolePublicHttpLive, ConsoleHttpLive(validators)).pipe(Layer.provide(ServicesLive))

export { ConsoleStaticLive }

/** The alerts' OrderLinks port (signed links to /console/link). */
export const ConsoleLinksLive = OrderLinksLive.pipe(Layer.provide(ConsoleKeyLive))
