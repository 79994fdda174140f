// `s2s config apply --check` reports every postback target the egress guard would refuse at send
// time under this environment's S2S_EGRESS_BLOCK_PRIVATE, names resolved through DNS included, and
// exits 1; without the policy the same file is valid.
import { spawnSync } from "node:child_process"
import { beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/db.js"
import { tempFile } from "../support/tmp.js"

let databaseUrl: string
let file: string

const CONFIG = `sources: [{ id: shop-de, kind: shopify, company: acme, secret: env:EG_SECRET }]
targets:
  - { id: public, channel: postback, url: "https://93.184.216.34/p?c={click_id}" }
  - { id: by-name, channel: postback, url: "http://localhost:9/p?c={click_id}" }
  - id: literal
    channel: postback
    url: "http://10.1.2.3/p?c={click_id}"
rules: [{ id: all, company: "*", product: "*", partner: "*", target: public }]
`

beforeAll(async () => {
  databaseUrl = await freshDatabase()
  file = tempFile("egress-check", "s2s.yaml", CONFIG)
})

const check = (env: Record<string, string>) => {
  const r = spawnSync("node", ["bin/s2s.js", "config", "apply", file, "--check"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, EG_SECRET: "x", ...env },
    encoding: "utf8"
  })
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` }
}

describe("config apply --check and the egress policy", () => {
  it("with S2S_EGRESS_BLOCK_PRIVATE=true reports each refused target with its line and path, and exits 1", () => {
    const r = check({ S2S_EGRESS_BLOCK_PRIVATE: "true" })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(
      /s2s\.yaml:4:44 targets\[1\]\.url: egress refused at send time: localhost resolves to (127\.0\.0\.1|::1), a loopback address \(S2S_EGRESS_BLOCK_PRIVATE=true\)/
    )
    expect(r.out).toMatch(
      /s2s\.yaml:7:10 targets\[2\]\.url: egress refused at send time: destination 10\.1\.2\.3 is a private address/
    )
    expect(r.out).not.toContain("targets[0]")
  })

  it("without the policy the same file is valid", () => {
    const r = check({ S2S_EGRESS_BLOCK_PRIVATE: "false" })
    expect(r.out).toContain("is valid")
    expect(r.code).toBe(0)
  })
})
