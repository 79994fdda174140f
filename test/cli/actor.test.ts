// Who a CLI action is recorded as: --actor, then S2S_ACTOR, then the OS user at this host, then the
// host alone; never "unknown".
import { describe, expect, it } from "vitest"
import { resolveActor, takeActorOption } from "../../src/cli/actor.js"

describe("the CLI actor", () => {
  it("prefers --actor, then S2S_ACTOR, then user@host, then the host", () => {
    const host = () => "ops-1"
    expect(resolveActor("alice", { S2S_ACTOR: "bob" }, () => "root", host)).toBe("cli:alice")
    expect(resolveActor(undefined, { S2S_ACTOR: "bob" }, () => "root", host)).toBe("cli:bob")
    expect(resolveActor(undefined, {}, () => "root", host)).toBe("cli:root@ops-1")
    expect(resolveActor(undefined, {}, () => undefined, host)).toBe("cli:ops-1")
    expect(resolveActor("  ", { S2S_ACTOR: "" }, () => undefined, host)).toBe("cli:ops-1")
    // The real lookups: this process always has a host name.
    expect(resolveActor(undefined, {})).toMatch(/^cli:.+/)
    expect(resolveActor(undefined, {})).not.toContain("unknown")
  })

  it("takes --actor out of the command line wherever it is, up to a --", () => {
    expect(takeActorOption(["config", "apply", "--actor", "alice", "s2s.yaml"])).toEqual([
      "config",
      "apply",
      "s2s.yaml"
    ])
    expect(takeActorOption(["--actor=bob", "redispatch", "--yes"])).toEqual(["redispatch", "--yes"])
    expect(takeActorOption(["import", "--", "--actor", "x"])).toEqual(["import", "--", "--actor", "x"])
  })
})
