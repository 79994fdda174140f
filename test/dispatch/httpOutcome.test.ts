// Whether a failed call may have reached the destination, against real sockets on loopback: a refused
// connection proves nothing was sent (retry freely); no answer, or a connection dropped after the
// request arrived, leaves the outcome unknown (a postback is then held, not sent twice).
import { createServer, type Server } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ChannelError } from "../../src/dispatch/Channel.js"
import { httpCall } from "../../src/dispatch/http.js"

const servers: Array<Server> = []
const sockets = new Set<Socket>()
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

const listen = async (handler: Parameters<typeof createServer>[1]) => {
  const server = createServer(handler)
  server.on("connection", (s) => sockets.add(s))
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const fail = async (url: string, timeoutMs = 500) => {
  const result = await Effect.runPromise(
    Effect.flip(httpCall({ channel: "postback", method: "GET", url: `${url}/p?ref=1`, timeoutMs }))
  )
  expect(result).toBeInstanceOf(ChannelError)
  return result
}

describe("a failed call's outcome", () => {
  it("is known (not sent) when the connection is refused", async () => {
    // A port that was just free: nothing listens there.
    const url = await listen(() => {})
    await new Promise((r) => servers.pop()!.close(r))
    const error = await fail(url)
    expect(error.reason).toBe("Transport")
    expect(error.outcomeUnknown).toBe(false)
  })

  it("is unknown when the request arrived and no answer came in time", async () => {
    let arrived = 0
    const url = await listen((req) => {
      req.resume()
      arrived++
    })
    const error = await fail(url, 300)
    expect(arrived).toBe(1)
    expect(error.reason).toBe("Timeout")
    expect(error.outcomeUnknown).toBe(true)
  })

  it("is unknown when the connection drops after the request arrived", async () => {
    let arrived = 0
    const url = await listen((req) => {
      arrived++
      req.socket.destroy()
    })
    const error = await fail(url)
    expect(arrived).toBe(1)
    expect(error.reason).toBe("Transport")
    expect(error.outcomeUnknown).toBe(true)
  })
})
