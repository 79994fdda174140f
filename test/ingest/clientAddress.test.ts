import { describe, expect, it } from "vitest"
import { clientAddress } from "../../src/ingest/clientAddress.js"

const socket = "10.0.0.5"

describe("clientAddress", () => {
  it.each([
    ["ignores X-Forwarded-For unless proxies are trusted", "6.6.6.6", { trustProxy: false, hops: 1 }, socket],
    ["uses the socket when there is no X-Forwarded-For", undefined, { trustProxy: true, hops: 1 }, socket],
    [
      "takes the entry the nearest proxy added (rightmost)",
      "6.6.6.6, 203.0.113.7",
      { trustProxy: true, hops: 1 },
      "203.0.113.7"
    ],
    ["takes the only entry", "203.0.113.7", { trustProxy: true, hops: 1 }, "203.0.113.7"],
    [
      "takes the Nth from the right behind N proxies",
      "6.6.6.6, 203.0.113.7, 10.1.1.1",
      { trustProxy: true, hops: 2 },
      "203.0.113.7"
    ],
    ["falls back to the socket when fewer entries than proxies", "203.0.113.7", { trustProxy: true, hops: 2 }, socket],
    [
      "falls back to the socket when the entry is not an address",
      "6.6.6.6, not-an-ip",
      { trustProxy: true, hops: 1 },
      socket
    ],
    ["accepts IPv6", "6.6.6.6, 2001:db8::1", { trustProxy: true, hops: 1 }, "2001:db8::1"],
    ["skips empty entries", "6.6.6.6, 203.0.113.7, ", { trustProxy: true, hops: 1 }, "203.0.113.7"]
  ])("%s", (_name, xff, trust, expected) => {
    expect(clientAddress(xff, socket, trust)).toBe(expected)
  })
})
