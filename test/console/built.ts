// The console's browser code, built once per test file that serves it (bin/build.js writes atomically,
// so files building at the same time are fine).
import { buildConsole } from "../../bin/build.js"

export const consoleBuilt = () => buildConsole()
