#!/usr/bin/env node
// `npm test`: the type check and the unit + integration tests, side by side. The tests spend their
// first seconds starting PostgreSQL and migrating its template, and the check's single thread fits in
// what the two test workers leave idle, so together they finish sooner than one after the other.
// The check's output is held and printed once it ends (it prints only errors). A failing check stops
// the tests at once; the exit code is the first failure's, 0 when both pass. Arguments go to vitest.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const npm = process.platform === "win32" ? "npm.cmd" : "npm"
const vitestArgs = ["vitest", "run", "--project", "suite", ...process.argv.slice(2)]

const check = spawn(npm, ["run", "--silent", "check"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
const tests = spawn("npx", vitestArgs, { cwd: root, stdio: "inherit" })

const exited = (child) =>
  new Promise((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`${error.message}\n`)
      resolve(1)
    })
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })

let checkOutput = ""
check.stdout.on("data", (chunk) => (checkOutput += chunk))
check.stderr.on("data", (chunk) => (checkOutput += chunk))

const checked = exited(check).then((code) => {
  if (code !== 0) {
    process.stderr.write(`\nType check failed (npm run check):\n${checkOutput}\n`)
    tests.kill("SIGTERM")
  }
  return code
})
const tested = exited(tests)

for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    check.kill(signal)
    tests.kill(signal)
  })

const [checkCode, testCode] = await Promise.all([checked, tested])
if (checkCode === 0 && checkOutput.trim() !== "") process.stdout.write(checkOutput)
process.exit(checkCode !== 0 ? checkCode : testCode)
