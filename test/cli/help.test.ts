// `--help` as a script or a pager sees it (stdout not a terminal) and as a terminal does: plain text
// unless colour is wanted, no line padded to hundreds of columns, usage lines that name the whole
// command, and usage mistakes answered with exit code 2.
import { spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { plan, useColor } from "../../src/cli/app.js"

const ESC = String.fromCharCode(27)

const s2s = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) => {
  const r = spawnSync("node", ["bin/s2s.js", ...args], { env: { ...process.env, ...env }, encoding: "utf8" })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const widest = (text: string) => Math.max(...text.split("\n").map((l) => l.length))

describe("s2s --help", () => {
  it("is plain text when stdout is not a terminal, fits 100 columns, lists every command with its path", () => {
    const r = s2s(["--help"], { NO_COLOR: undefined })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain(ESC)
    expect(widest(r.stdout)).toBeLessThanOrEqual(100)
    expect(r.stdout.split("\n")[0]).toBe("Usage: s2s <command> [options]")
    expect(r.stdout).toMatch(/^ {2}config apply <FILE> +Validate s2s\.yaml/m)
    expect(r.stdout).toMatch(/^ {2}orders log <ORDER_KEY> +Show everything/m)
    expect(r.stdout).toContain("--actor NAME")
  })

  it("gives each command a usage line with its whole path, required options and arguments", () => {
    expect(s2s(["config", "apply", "--help"]).stdout.split("\n")[0]).toBe("Usage: s2s config apply [options] <FILE>")
    const create = s2s(["tokens", "create", "-h"]).stdout
    expect(create.split("\n")[0]).toBe("Usage: s2s tokens create --scope audit|operate|admin|ingest [options]")
    const redispatch = s2s(["redispatch", "--order", "x", "--help"]).stdout
    expect(redispatch.split("\n")[0]).toBe("Usage: s2s redispatch [options]")
    expect(redispatch).toMatch(/^ {2}--order KEY\.\.\. +an order key \(repeatable\)$/m)
    expect(redispatch).toMatch(/^ {2}-y, --yes +apply \(default: dry run\)$/m)
    expect(widest(redispatch)).toBeLessThanOrEqual(100)
  })

  it("shows a group's commands for the group alone, and refuses an unknown one with exit code 2", () => {
    const group = s2s(["config"])
    expect(group.code).toBe(0)
    expect(group.stdout.split("\n")[0]).toBe("Usage: s2s config <command> [options]")
    const unknown = s2s(["config", "aply"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "aply" for "s2s config" (one of: apply, show)')
    const option = s2s(["redispatch", "--nope"])
    expect(option.code).toBe(2)
    expect(option.stderr).not.toContain(ESC)
  })

  it("colours only a terminal without NO_COLOR", () => {
    expect(useColor({ isTTY: true }, {})).toBe(true)
    expect(useColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(useColor({ isTTY: false }, {})).toBe(false)
    const colored = plan(["--help"], true, 100)
    const plain = plan(["--help"], false, 100)
    expect(colored._tag === "Help" && colored.text.includes(`${ESC}[1mUsage:`)).toBe(true)
    expect(plain._tag === "Help" && !plain.text.includes(ESC)).toBe(true)
  })
})
