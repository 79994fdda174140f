// An operator action, dry run first: the button asks the API what would happen (nothing is sent),
// the dialog shows it item by item, and only "Confirm" sends the same request with dryRun: false.
// Tokens below operate see the button too; the API refuses them, and the dialog says why.
import { useState } from "preact/hooks"
import type { RedispatchReport, RenormalizeReport } from "../../src/operations/schemas.ts"
import { post } from "../api.ts"
import { may, useSession } from "../session.ts"
import { Dialog } from "./Dialog.tsx"
import { Badge, Code, ErrorNote } from "./ui.tsx"

type Kind = "redispatch" | "renormalize"
type Report = RedispatchReport | RenormalizeReport

const isRedispatch = (report: Report): report is RedispatchReport => "send" in report

const RedispatchItems = (props: { report: RedispatchReport }) => (
  <ul class="plain-list">
    {props.report.items.map((item) => (
      <li key={`${item.orderKey}|${item.targetId}|${item.kind}`} class="item">
        <div>
          <strong>{item.orderKey}</strong> → {item.targetId} ({item.channel}) <Badge value={item.action} />{" "}
          <span class="muted">
            was {item.state}, {item.attempts} attempt(s)
          </span>
        </div>
        {item.reason === undefined ? null : <div class="muted">{item.reason}</div>}
        {item.summary === undefined ? null : <div>{item.summary}</div>}
        {item.request === undefined ? null : (
          <details>
            <summary>
              Request that would be sent: {item.request.method} {item.request.url}
            </summary>
            <Code text={item.request.body} label="request body" />
          </details>
        )}
      </li>
    ))}
  </ul>
)

const RenormalizeItems = (props: { report: RenormalizeReport }) => (
  <ul class="plain-list">
    {props.report.items.map((item) => (
      <li key={item.webhookId} class="item">
        <div>
          <strong>{item.webhookId}</strong> ({item.sourceId}) <Badge value={item.action} />
        </div>
        <div class="muted">before: {item.before}</div>
        <div>after: {item.after}</div>
      </li>
    ))}
  </ul>
)

const summary = (report: Report) =>
  isRedispatch(report)
    ? `${report.send} of ${report.selected} dispatch(es) ${report.dryRun ? "would be sent" : "requested"}, ${report.skipped} skipped`
    : `${report.changes} of ${report.selected} webhook(s) ${report.dryRun ? "would change" : "requested"}, ${report.unchanged} unchanged`

export const Operation = (props: { kind: Kind; label: string; body: Record<string, unknown>; onDone?: () => void }) => {
  const { session } = useSession()
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [report, setReport] = useState<Report | undefined>(undefined)
  const [error, setError] = useState<Error | undefined>(undefined)
  const run = async (dryRun: boolean) => {
    setBusy(true)
    setError(undefined)
    try {
      setReport(await post<Report>(`/${props.kind}`, { ...props.body, dryRun }))
    } catch (e) {
      setError(e as Error)
    } finally {
      setBusy(false)
    }
  }
  const start = () => {
    setOpen(true)
    setReport(undefined)
    void run(true)
  }
  // The page reloads its list only when the dialog closes: a reload while it is open could drop the row
  // the dialog belongs to (a re-dispatched dead letter no longer needs attention) and the report with it.
  const close = () => {
    setOpen(false)
    if (report !== undefined && !report.dryRun) props.onDone?.()
  }
  const pending = report?.dryRun && (isRedispatch(report) ? report.send : report.changes) > 0
  return (
    <>
      <button
        type="button"
        class="button-small"
        onClick={start}
        title={may(session, "operate") ? undefined : `needs a token with scope operate (you: ${session?.scope})`}
      >
        {props.label}
      </button>
      {!open ? null : (
        <Dialog
          title={`${props.label.replace(/…$/, "")}: ${report === undefined || report.dryRun ? "dry run" : "done"}`}
          onClose={close}
        >
          <ErrorNote error={error} />
          {busy ? <p role="status">Working…</p> : null}
          {report === undefined ? null : (
            <>
              <p role="status">
                <strong>{report.dryRun ? "Dry run, nothing sent: " : "Done: "}</strong>
                {summary(report)}
                {report.truncated ? " (more matched than one request handles: narrow the selection)" : ""}
              </p>
              {isRedispatch(report) ? <RedispatchItems report={report} /> : <RenormalizeItems report={report} />}
            </>
          )}
          <div class="dialog-actions">
            {pending ? (
              <button type="button" class="button-primary" disabled={busy} onClick={() => void run(false)}>
                Confirm {props.kind === "redispatch" ? "re-dispatch" : "re-normalization"}
              </button>
            ) : null}
            <button type="button" onClick={close}>
              {report !== undefined && !report.dryRun ? "Close" : "Cancel"}
            </button>
          </div>
        </Dialog>
      )}
    </>
  )
}
