// A worker process that runs one dispatch job and exits: `tsx dispatchOnce.ts` with DATABASE_URL and
// DISPATCH_PAYLOAD ({"orderKey", "targetId", "kind"}). Prints "ready" once its runtime is built (the
// test starts the clock from there) and "done" when the job returned.
import { dispatcherRuntime, dispatchWith } from "./dispatcher.js"

const url = process.env.DATABASE_URL
const payload = process.env.DISPATCH_PAYLOAD
if (!url || !payload) throw new Error("DATABASE_URL and DISPATCH_PAYLOAD are required")
const runtime = dispatcherRuntime(url)
await runtime.runtime()
process.stdout.write("ready\n")
await dispatchWith(runtime, JSON.parse(payload))
process.stdout.write("done\n")
await runtime.dispose()
