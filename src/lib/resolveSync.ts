// Resolves host names synchronously, for checks that must run inside synchronous code (config
// validators). The lookups run in a worker thread with the system resolver (dns.lookup, as the
// egress guard uses at send time); this thread waits on a shared flag for at most `timeoutMs`.
// A name that fails or does not answer in time is reported as unresolved, never guessed.
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads"

export type Resolution =
  | { readonly _tag: "Resolved"; readonly addresses: ReadonlyArray<{ address: string; family: number }> }
  | { readonly _tag: "Unresolved"; readonly reason: string }

// CommonJS, evaluated in the worker: resolve every name, post the results, then raise the flag.
const WORKER = `
const { workerData } = require("node:worker_threads")
const dns = require("node:dns")
const { hosts, flag, port } = workerData
Promise.all(hosts.map((host) =>
  dns.promises.lookup(host, { all: true, verbatim: true }).then(
    (addresses) => [host, { _tag: "Resolved", addresses }],
    (error) => [host, { _tag: "Unresolved", reason: error.code || error.message }]
  )
)).then((results) => {
  port.postMessage(results)
  const view = new Int32Array(flag)
  Atomics.store(view, 0, 1)
  Atomics.notify(view, 0)
})
`

export const resolveHostsSync = (hosts: ReadonlyArray<string>, timeoutMs = 3_000): ReadonlyMap<string, Resolution> => {
  const unique = [...new Set(hosts)]
  const out = new Map<string, Resolution>()
  if (unique.length === 0) return out
  const flag = new SharedArrayBuffer(4)
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { hosts: unique, flag, port: port2 },
    transferList: [port2]
  })
  try {
    Atomics.wait(new Int32Array(flag), 0, 0, timeoutMs)
    const message = receiveMessageOnPort(port1)?.message as ReadonlyArray<[string, Resolution]> | undefined
    for (const [host, resolution] of message ?? []) out.set(host, resolution)
  } finally {
    void worker.terminate()
    port1.close()
  }
  for (const host of unique)
    if (!out.has(host)) out.set(host, { _tag: "Unresolved", reason: `no answer within ${timeoutMs} ms` })
  return out
}
