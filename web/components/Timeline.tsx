// An order's timeline: every event of its log, oldest first, with the readable line the CLI prints and,
// on demand, everything recorded: each dispatch attempt's exact request and response with timing, the
// raw webhook, the rule decisions, the alert. Personal data arrives masked unless it was revealed.
import type { TimelineEntry } from "../../src/console/api/schemas.ts"
import type { LoggedEvent } from "../../src/orders/log.ts"
import { dateTime } from "../format.ts"
import { Badge, Code } from "./ui.tsx"

interface Exchange {
  readonly request: { method: string; url: string; headers: Record<string, string>; body?: string }
  readonly response?: { status: number; headers: Record<string, string>; body: string; truncated: boolean }
  readonly durationMs: number
  readonly error?: string
}

const Headers = (props: { headers: Record<string, string>; label: string }) => {
  const entries = Object.entries(props.headers)
  return entries.length === 0 ? null : (
    <table class="table table-compact">
      <caption class="sr-only">{props.label}</caption>
      <thead>
        <tr>
          <th scope="col">Header</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
            </td>
            <td class="break">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const ExchangeView = (props: { exchange: Exchange; index: number }) => {
  const { request, response } = props.exchange
  return (
    <section class="exchange" aria-label={`HTTP exchange ${props.index + 1}`}>
      <h4>
        Request {props.index + 1}:{" "}
        <code class="break">
          {request.method} {request.url}
        </code>{" "}
        <span class="muted">({Math.round(props.exchange.durationMs)} ms)</span>
      </h4>
      <Headers headers={request.headers} label="Request headers" />
      <Code text={request.body} label="Request body" />
      {response === undefined ? (
        <p class="note note-error">No response: {props.exchange.error ?? "the request did not complete"}</p>
      ) : (
        <>
          <h4>
            Response: HTTP {response.status}
            {response.truncated ? <span class="muted"> (body truncated)</span> : null}
          </h4>
          <Headers headers={response.headers} label="Response headers" />
          <Code text={response.body} label="Response body" />
        </>
      )}
    </section>
  )
}

const Details = (props: { event: LoggedEvent }) => {
  const data = props.event.data
  if (props.event.type === "DispatchAttempted") {
    const exchanges = (data.exchanges ?? []) as ReadonlyArray<Exchange>
    return (
      <>
        {exchanges.length === 0 ? <p>No request was made.</p> : null}
        {exchanges.map((x, i) => (
          <ExchangeView key={i} exchange={x} index={i} />
        ))}
      </>
    )
  }
  const body = (data.body as { text?: string } | undefined)?.text
  const rest = body === undefined ? data : { ...data, body: { ...(data.body as object), text: "(below)" } }
  return (
    <>
      <Code text={JSON.stringify(rest, null, 2)} label={`${props.event.type} data`} />
      {body === undefined ? null : <Code text={body} label="Raw body" />}
      <p class="muted small">
        {props.event.streamId} #{props.event.version} · position {props.event.position}
        {typeof props.event.metadata.actor === "string" ? ` · by ${props.event.metadata.actor}` : ""}
      </p>
    </>
  )
}

export const Timeline = (props: { entries: ReadonlyArray<TimelineEntry>; events: ReadonlyArray<LoggedEvent> }) => {
  const byPosition = new Map(props.events.map((e) => [e.position, e]))
  const shown = new Set<number>()
  return (
    <ol class="timeline">
      {props.entries.map((row, i) => {
        const event = byPosition.get(row.position)
        const first = !shown.has(row.position)
        shown.add(row.position)
        return (
          <li key={`${row.position}-${i}`} class={`timeline-item stage-${row.stage}`}>
            <div class="timeline-line">
              <time dateTime={row.at} title={row.at}>
                {dateTime(row.at)}
              </time>
              <span class="stage">{row.stage}</span>
              <span class="what">{row.what}</span>
              {row.target === "" ? null : <span class="target">{row.target}</span>}
              {row.status === "" ? null : <Badge value={row.status} />}
              {row.duration === "" ? null : <span class="muted">{row.duration}</span>}
            </div>
            {event === undefined || !first ? null : (
              <details>
                <summary>
                  {event.type === "DispatchAttempted" ? "Request and response" : "Recorded data"}{" "}
                  <span class="sr-only">
                    of {event.type} at {row.at}
                  </span>
                </summary>
                <Details event={event} />
              </details>
            )}
          </li>
        )
      })}
    </ol>
  )
}
