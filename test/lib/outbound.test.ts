// lib/outbound.ts answers and fails like fetch (callers classify errors by fetch's shape), but sends
// only our User-Agent and the headers it is given.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { outboundFetch, USER_AGENT } from "../../src/lib/outbound.js"

let origin: string
const seen: Array<ReadonlyArray<string>> = []
const server = createServer((req, res) => {
  seen.push(req.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()))
  if (req.url === "/hang") return
  if (req.url === "/reset") return req.socket.destroy()
  res.writeHead(req.url === "/empty" ? 204 : 201, { "x-a": "1", "set-cookie": ["a=1", "b=2"] })
  res.end(req.url === "/empty" ? undefined : "body")
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("outboundFetch", () => {
  it("answers a standard Response and sends our User-Agent and nothing a browser would", async () => {
    const res = await outboundFetch(`${origin}/x`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" }
    })
    expect([res.status, await res.text(), res.headers.get("x-a"), res.headers.getSetCookie()]).toEqual([
      201,
      "body",
      "1",
      ["a=1", "b=2"]
    ])
    expect(USER_AGENT).toMatch(/^s2s\/\d+\.\d+\.\d+/)
    expect([...seen.at(-1)!].sort()).toEqual(["connection", "content-length", "content-type", "host", "user-agent"])
  })

  it("lets a caller's User-Agent replace ours, once", async () => {
    await outboundFetch(`${origin}/x`, { headers: { "User-Agent": "partner-wants-this/1" } })
    expect(seen.at(-1)!.filter((h) => h === "user-agent")).toHaveLength(1)
  })

  it("answers a 204 without a body", async () => {
    const res = await outboundFetch(`${origin}/empty`)
    expect([res.status, await res.text()]).toEqual([204, ""])
  })

  it("fails as fetch does: TypeError('fetch failed') with the network error as its cause", async () => {
    const refused = await outboundFetch("http://127.0.0.1:1/").catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TypeError)
    expect((refused as TypeError).message).toBe("fetch failed")
    expect((refused as { cause: { code: string } }).cause.code).toBe("ECONNREFUSED")
    const reset = await outboundFetch(`${origin}/reset`).catch((e: unknown) => e)
    expect((reset as { cause: { code: string } }).cause.code).toBe("UND_ERR_SOCKET")
  })

  it("rejects with the signal's reason when aborted", async () => {
    const error = await outboundFetch(`${origin}/hang`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e)
    expect((error as DOMException).name).toBe("TimeoutError")
  })
})
