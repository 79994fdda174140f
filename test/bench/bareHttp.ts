// A bare node:http server for the ingest benchmark's ceiling case: reads the body and answers 202
// with a webhook-shaped JSON, touching no database. Run as a child process (so it never shares the
// load generator's event loop); prints its port on stdout.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const ANSWER = '{"webhookId":"00000000-0000-8000-8000-000000000000","duplicate":false}'
const server = createServer((req, res) => {
  req.on("data", () => {})
  req.on("end", () => {
    res.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(ANSWER) })
    res.end(ANSWER)
  })
})
server.listen(0, "127.0.0.1", () => console.log((server.address() as AddressInfo).port))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
