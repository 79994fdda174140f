// The `s2s` command: the composition root of the CLI (the tree and the run are in cli/app.ts).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { main, VERSION } from "./cli/app.js"
import { startErrorReporting } from "./lib/errorReporting.js"
import { installSignalGuard } from "./lib/shutdown.js"

installSignalGuard()
// SENTRY_DSN set: errors go to Sentry too (lib/errorReporting.ts); the SDK is loaded only then.
const reporter = await startErrorReporting(process.env, VERSION)

NodeRuntime.runMain(main(process.argv, reporter), { disableErrorReporting: true, disablePrettyLogger: true })
