// Needs attention: what an operator must act on, each with its action (dry run first, then confirm):
// dispatches in a terminal state (held, given up, rejected; a new state listed by the server shows here
// on its own), webhooks that became no order (normalization failed: re-normalize; refused with 400: the
// sender must resend), targets whose circuit breaker is open.
import { Link } from "wouter-preact"
import type { Attention } from "../../src/console/attention/schema.ts"
import { get } from "../api.ts"
import { DataTable } from "../components/DataTable.tsx"
import { Operation } from "../components/Operation.tsx"
import { Badge, Empty, ErrorNote, Loading, Page } from "../components/ui.tsx"
import { count, dateTime } from "../format.ts"
import { useApi } from "../hooks.ts"

const orderLink = (key: string) => <Link href={`/order?key=${encodeURIComponent(key)}`}>{key}</Link>

export const AttentionPage = () => {
  const loaded = useApi(() => get<Attention>("/attention"), [])
  const data = loaded.data
  return (
    <Page
      title="Needs attention"
      actions={
        <button type="button" onClick={loaded.reload} disabled={loaded.loading}>
          Refresh
        </button>
      }
    >
      <ErrorNote error={loaded.error} />
      {data === undefined ? (
        loaded.loading ? (
          <Loading />
        ) : null
      ) : (
        <>
          <section aria-labelledby="dispatches-h">
            <h2 id="dispatches-h">Dispatches</h2>
            <ul class="inline-list">
              {data.states.map((s) => (
                <li key={s.status}>
                  <Badge value={s.status} /> {count(s.count)} {s.label}{" "}
                  {s.count === 0 ? null : (
                    <Operation
                      kind="redispatch"
                      label={`Re-dispatch all ${s.status.replace(/_/g, " ")}…`}
                      body={{ state: s.redispatchState, reason: "re-dispatch from the console" }}
                      onDone={loaded.reload}
                    />
                  )}
                </li>
              ))}
            </ul>
            {data.dispatches.length === 0 ? (
              <Empty>No dispatch needs an operator.</Empty>
            ) : (
              <DataTable
                caption="Dispatches that need an operator, latest attempt first"
                columns={["Order", "Target", "State", "Attempts", "Last attempt", "Why", "Action"]}
                rows={data.dispatches}
                rowKey={(d) => `${d.orderKey}|${d.targetId}|${d.kind}`}
                cells={(d) => (
                  <>
                    <td>{orderLink(d.orderKey)}</td>
                    <td>
                      {d.targetId}{" "}
                      <span class="muted">
                        ({d.channel}
                        {d.kind === "conversion" ? "" : `, ${d.kind}`})
                      </span>
                    </td>
                    <td>
                      <Badge value={d.status} />
                    </td>
                    <td class="num">{d.attempts}</td>
                    <td>{dateTime(d.lastAttemptAt)}</td>
                    <td class="break">{[d.lastReason, d.lastMessage].filter((x) => x !== null).join(": ") || "–"}</td>
                    <td>
                      <Operation
                        kind="redispatch"
                        label="Re-dispatch…"
                        body={{
                          orderKeys: [d.orderKey],
                          target: d.targetId,
                          kind: d.kind,
                          state: d.redispatchState,
                          reason: "re-dispatch from the console"
                        }}
                        onDone={loaded.reload}
                      />
                    </td>
                  </>
                )}
              />
            )}
          </section>
          <section aria-labelledby="webhooks-h">
            <h2 id="webhooks-h">Webhooks that became no order</h2>
            {data.webhooks.length === 0 ? (
              <Empty>Every webhook normalized; none was refused.</Empty>
            ) : (
              <>
                <p>
                  {data.webhooks.some((w) => w.state === "normalization_failed") ? (
                    <Operation
                      kind="renormalize"
                      label="Re-normalize all failed…"
                      body={{ state: "failed", reason: "re-normalization from the console" }}
                      onDone={loaded.reload}
                    />
                  ) : null}
                  {data.webhooksTruncated ? <span class="muted"> (the newest are listed)</span> : null}
                </p>
                <DataTable
                  caption="Webhooks whose last normalization failed or whose body was refused, newest first"
                  columns={["Webhook", "Source", "State", "When", "Reason", "Action"]}
                  rows={data.webhooks}
                  rowKey={(w) => w.webhookId}
                  cells={(w) => (
                    <>
                      <td>
                        <code>{w.webhookId}</code>
                        {w.topic === null ? null : <div class="muted small">{w.topic}</div>}
                      </td>
                      <td>{w.sourceId}</td>
                      <td>
                        <Badge value={w.state} />
                      </td>
                      <td>{dateTime(w.recordedAt)}</td>
                      <td class="break">
                        <code>{w.reason}</code> {w.message}
                        {w.path === null ? "" : ` at ${w.path}`}
                      </td>
                      <td>
                        {w.state === "normalization_failed" ? (
                          <Operation
                            kind="renormalize"
                            label="Re-normalize…"
                            body={{ webhookIds: [w.webhookId], reason: "re-normalization from the console" }}
                            onDone={loaded.reload}
                          />
                        ) : (
                          // Refused with 400 at the door: nothing here can read it; the sender must resend.
                          <span class="muted">ask the platform to resend it (raw bytes kept)</span>
                        )}
                      </td>
                    </>
                  )}
                />
              </>
            )}
          </section>
          <section aria-labelledby="breakers-h">
            <h2 id="breakers-h">Open circuit breakers</h2>
            {data.breakers.length === 0 ? (
              <Empty>No target is paused.</Empty>
            ) : (
              <DataTable
                caption="Targets paused by their circuit breaker"
                columns={["Target", "Failures in a row", "Opened", "Paused until", "Last reason", "Action"]}
                rows={data.breakers}
                rowKey={(b) => b.targetId}
                cells={(b) => (
                  <>
                    <td>{b.targetId}</td>
                    <td class="num">{b.consecutiveFailures}</td>
                    <td>{dateTime(b.openedAt)}</td>
                    <td>{dateTime(b.until)}</td>
                    <td class="break">{b.lastReason}</td>
                    <td>
                      <Operation
                        kind="redispatch"
                        label="Re-dispatch its dead letters…"
                        body={{
                          target: b.targetId,
                          state: "dead_lettered",
                          reason: "re-dispatch after the target recovered"
                        }}
                        onDone={loaded.reload}
                      />
                    </td>
                  </>
                )}
              />
            )}
          </section>
        </>
      )}
    </Page>
  )
}
