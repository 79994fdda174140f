// Setup file of every project: runs for each test file before its tests.
import { afterAll } from "vitest"
import { runCleanups } from "./cleanup.js"

afterAll(runCleanups)
