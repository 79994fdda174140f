// The `s2s` command: the composition root of the CLI (the tree and the run are in cli/app.ts).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { main } from "./cli/app.js"
import { installSignalGuard } from "./lib/shutdown.js"

installSignalGuard()

NodeRuntime.runMain(main(process.argv), { disableErrorReporting: true, disablePrettyLogger: true })
