// `config apply --check` reports what the egress guard would refuse at send time: literal addresses
// under this environment's policy, and host names by what they resolve to now. Given a resolver
// table, when the policy is X, then these targets are reported.

import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { egressProblems } from "../../../../src/dispatch/channels/postback/egressCheck.js"
import { type ConfigFile, ConfigFile as ConfigFileSchema } from "../../../../src/events/configSchema.js"
import type { Resolution } from "../../../../src/lib/resolveSync.js"
import { resolveHostsSync } from "../../../../src/lib/resolveSync.js"

const config = (urls: ReadonlyArray<string>, statusChange?: string): ConfigFile =>
  Schema.decodeUnknownSync(ConfigFileSchema)({
    targets: urls.map((url, i) => ({
      id: `t${i}`,
      channel: "postback",
      url,
      ...(statusChange !== undefined && i === 0 ? { statusChange: { url: statusChange } } : {})
    }))
  })

const DNS: Record<string, Resolution> = {
  "partner.example": { _tag: "Resolved", addresses: [{ address: "93.184.216.34", family: 4 }] },
  "tracker.internal": { _tag: "Resolved", addresses: [{ address: "10.20.30.40", family: 4 }] },
  "rebind.example": {
    _tag: "Resolved",
    addresses: [
      { address: "93.184.216.34", family: 4 },
      { address: "169.254.169.254", family: 4 }
    ]
  },
  "v6.internal": { _tag: "Resolved", addresses: [{ address: "fd12::1", family: 6 }] },
  "gone.example": { _tag: "Unresolved", reason: "ENOTFOUND" }
}
const resolve = (hosts: ReadonlyArray<string>) => new Map(hosts.map((h) => [h, DNS[h] ?? DNS["gone.example"]!]))

describe("egressProblems", () => {
  const urls = [
    "https://partner.example/p?c={click_id}",
    "https://tracker.internal/p?c={click_id}",
    "https://rebind.example/p",
    "http://10.0.0.7:8080/p",
    "http://[::1]/p",
    "https://v6.internal/p",
    "https://gone.example/p",
    "http://169.254.169.254/latest",
    "http://127.0.0.1:9/p"
  ]

  it("with S2S_EGRESS_BLOCK_PRIVATE=true: every private, loopback and link-local destination, by its path", () => {
    const problems = egressProblems(config(urls), { blockPrivate: true, resolve })
    expect(problems).toEqual([
      {
        path: ["targets", 1, "url"],
        message:
          "egress refused at send time: tracker.internal resolves to 10.20.30.40, a private address (S2S_EGRESS_BLOCK_PRIVATE=true)"
      },
      {
        path: ["targets", 2, "url"],
        message:
          "egress refused at send time: rebind.example resolves to 169.254.169.254, a link-local address (S2S_EGRESS_BLOCK_PRIVATE=true)"
      },
      {
        path: ["targets", 3, "url"],
        message:
          "egress refused at send time: destination 10.0.0.7 is a private address (S2S_EGRESS_BLOCK_PRIVATE=true)"
      },
      {
        path: ["targets", 4, "url"],
        message: "egress refused at send time: destination [::1] is a loopback address (S2S_EGRESS_BLOCK_PRIVATE=true)"
      },
      {
        path: ["targets", 5, "url"],
        message:
          "egress refused at send time: v6.internal resolves to fd12::1, a private address (S2S_EGRESS_BLOCK_PRIVATE=true)"
      },
      {
        path: ["targets", 8, "url"],
        message:
          "egress refused at send time: destination 127.0.0.1 is a loopback address (S2S_EGRESS_BLOCK_PRIVATE=true)"
      }
    ])
  })

  it("with the default policy: only names that resolve to link-local or metadata addresses", () => {
    expect(egressProblems(config(urls), { blockPrivate: false, resolve })).toEqual([
      {
        path: ["targets", 2, "url"],
        message:
          "egress refused at send time: rebind.example resolves to 169.254.169.254, a link-local address (always refused, whatever S2S_EGRESS_BLOCK_PRIVATE says)"
      }
    ])
  })

  it("checks statusChange URLs too", () => {
    const problems = egressProblems(config(["https://partner.example/p"], "https://tracker.internal/s"), {
      blockPrivate: true,
      resolve
    })
    expect(problems.map((p) => p.path)).toEqual([["targets", 0, "statusChange", "url"]])
  })

  it("asks the resolver only about names, each once", () => {
    const asked: Array<string> = []
    egressProblems(config([...urls, "https://partner.example/other"]), {
      blockPrivate: true,
      resolve: (hosts) => {
        asked.push(...hosts)
        return resolve(hosts)
      }
    })
    expect(new Set(asked)).toEqual(
      new Set(["partner.example", "tracker.internal", "rebind.example", "v6.internal", "gone.example"])
    )
  })
})

describe("resolveHostsSync", () => {
  it("resolves with the system resolver, synchronously", () => {
    const result = resolveHostsSync(["localhost"])
    const localhost = result.get("localhost")
    expect(localhost?._tag).toBe("Resolved")
    if (localhost?._tag === "Resolved") expect(localhost.addresses.map((a) => a.address)).toContain("127.0.0.1")
  })

  it("reports a name that does not resolve, never guesses", () => {
    expect(resolveHostsSync(["no-such-host.invalid"], 2_000).get("no-such-host.invalid")?._tag).toBe("Unresolved")
  })
})
