// Raw HTTP/1.1 over a socket, for requests fetch refuses to send (a NUL in the target, duplicate
// Content-Length, Transfer-Encoding tricks) and to see exactly what the server wrote back.
import { connect } from "node:net"

export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Everything the server wrote, as latin1. */
  readonly raw: string
}

/** The first response on the connection (chunked bodies decoded); the socket is closed after it. */
export const parseResponse = (raw: string): RawResponse | undefined => {
  const end = raw.indexOf("\r\n\r\n")
  if (end < 0) return undefined
  const [statusLine = "", ...lines] = raw.slice(0, end).split("\r\n")
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1])
  if (!Number.isFinite(status)) return undefined
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let rest = raw.slice(end + 4)
  let body = rest
  if (headers["content-length"] !== undefined) body = rest.slice(0, Number(headers["content-length"]))
  else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    body = ""
    for (;;) {
      const lineEnd = rest.indexOf("\r\n")
      const size = Number.parseInt(rest.slice(0, lineEnd), 16)
      if (!Number.isFinite(size) || size === 0) break
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size)
      rest = rest.slice(lineEnd + 2 + size + 2)
    }
  }
  return { status, headers, body: Buffer.from(body, "latin1").toString("utf8"), raw }
}

/**
 * Writes `request` as is and reads until the server closes, or the first response is complete.
 * `halfClose`: end our side after writing, so a request whose body never comes is answered at once
 * instead of after the server's request timeout.
 */
export const rawRequest = (
  baseUrl: string,
  request: string | Buffer,
  options: { readonly timeoutMs?: number; readonly halfClose?: boolean } = {}
): Promise<RawResponse> => {
  const { hostname, port } = new URL(baseUrl)
  const timeoutMs = options.timeoutMs ?? 10_000
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      options.halfClose ? socket.end(request) : socket.write(request)
    )
    let received = ""
    const done = (error?: Error) => {
      clearTimeout(timer)
      socket.destroy()
      const parsed = parseResponse(received)
      if (parsed) resolve(parsed)
      else reject(error ?? new Error(`no HTTP response (got ${JSON.stringify(received.slice(0, 200))})`))
    }
    const timer = setTimeout(() => done(new Error("timed out waiting for a response")), timeoutMs)
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1")
      const parsed = parseResponse(received)
      const length = parsed?.headers["content-length"]
      if (parsed && length !== undefined && Buffer.byteLength(parsed.body) >= Number(length)) done()
      else if (parsed && /\r\n0\r\n\r\n$/.test(received)) done()
    })
    socket.on("end", () => done())
    socket.on("error", (error) => done(error))
  })
}

/** A request with `Connection: close`; `body` gets a Content-Length unless headers already frame it. */
export const rawText = (
  method: string,
  target: string,
  headers: Readonly<Record<string, string>> = {},
  body = ""
): string => {
  const framed = Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h))
  const lines = [
    `${method} ${target} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(framed || (body === "" && method === "GET") ? [] : [`Content-Length: ${Buffer.byteLength(body)}`])
  ]
  return `${lines.join("\r\n")}\r\n\r\n${body}`
}
