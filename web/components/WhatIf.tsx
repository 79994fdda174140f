// The rules page's what-if: paste or upload an s2s.yaml and see which recent orders it would route
// elsewhere, per target, before applying it (the server checks it like `config apply --check` and
// applies nothing).
import { useState } from "preact/hooks"
import { Link } from "wouter-preact"
import type { WhatIfReport } from "../../src/console/rules/schema.ts"
import { ApiError, post } from "../api.ts"
import { count, dateTime } from "../format.ts"
import { DataTable } from "./DataTable.tsx"
import { Empty, ErrorNote, Field } from "./ui.tsx"

export const WhatIf = () => {
  const [yaml, setYaml] = useState("")
  const [days, setDays] = useState("7")
  const [report, setReport] = useState<WhatIfReport | undefined>(undefined)
  const [error, setError] = useState<Error | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const upload = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (file !== undefined) setYaml(await file.text())
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    setReport(undefined)
    try {
      setReport(await post<WhatIfReport>("/rules/what-if", { yaml, days: Number(days) }))
    } catch (err) {
      setError(err as Error)
    } finally {
      setBusy(false)
    }
  }
  const problems = error instanceof ApiError && error.status === 400 ? error.message.split("\n") : undefined
  return (
    <>
      <form class="card" onSubmit={(e) => void submit(e)}>
        <Field label="s2s.yaml" hint="paste it, or choose the file below; it is checked, never applied or stored">
          <textarea
            rows={12}
            spellcheck={false}
            value={yaml}
            onInput={(e) => setYaml((e.target as HTMLTextAreaElement).value)}
            required
          />
        </Field>
        <div class="row">
          <Field label="Configuration file">
            <input type="file" accept=".yaml,.yml,text/yaml" onChange={(e) => void upload(e)} />
          </Field>
          <Field label="Orders of the last days">
            <input
              type="number"
              min={1}
              max={90}
              value={days}
              onInput={(e) => setDays((e.target as HTMLInputElement).value)}
            />
          </Field>
        </div>
        <button type="submit" class="button-primary" disabled={busy || yaml.trim() === ""}>
          {busy ? "Checking…" : "Check against recent orders"}
        </button>
      </form>
      {problems === undefined ? (
        <ErrorNote error={error} />
      ) : (
        <div class="note note-error" role="alert">
          <strong>The file is not valid:</strong>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {report === undefined ? null : (
        <div aria-live="polite">
          <p role="status">
            <strong>{count(report.changed)}</strong> of {count(report.examined)} orders placed since{" "}
            {dateTime(report.since)} would be routed differently{report.truncated ? " (the newest were examined)" : ""}.
            Rules added: {report.rules.added.join(", ") || "none"}; removed: {report.rules.removed.join(", ") || "none"}
            ; changed: {report.rules.changed.join(", ") || "none"}.
          </p>
          {report.byTarget.length === 0 ? null : (
            <ul class="inline-list">
              {report.byTarget.map((t) => (
                <li key={t.targetId}>
                  {t.targetId}: +{count(t.gained)} / −{count(t.lost)}
                </li>
              ))}
            </ul>
          )}
          {report.changes.length === 0 ? (
            <Empty>No recent order would go elsewhere.</Empty>
          ) : (
            <DataTable
              caption="Orders that would be routed differently"
              columns={["Order", "Placed", "Company / partner", "Now", "With the file"]}
              rows={report.changes}
              rowKey={(c) => c.orderKey}
              cells={(c) => (
                <>
                  <td>
                    <Link href={`/order?key=${encodeURIComponent(c.orderKey)}`}>{c.orderKey}</Link>
                  </td>
                  <td>{dateTime(c.placedAt)}</td>
                  <td>
                    {c.company} / {c.partner ?? "none"}
                  </td>
                  <td>{c.before.join(", ") || "–"}</td>
                  <td>{c.after.join(", ") || "–"}</td>
                </>
              )}
            />
          )}
        </div>
      )}
    </>
  )
}
