// Parts of the coverage page: the campaigns and landing pages losing click ids, and match quality
// per target (the share of conversions sent with each identifier, and under which consent).
import type { Coverage } from "../../src/console/coverage/schema.ts"
import { count, share } from "../format.ts"
import { DataTable } from "./DataTable.tsx"
import { Empty } from "./ui.tsx"

export const Lost = (props: { title: string; what: string; rows: Coverage["lostCampaigns"] }) => (
  <section class="card" aria-label={props.title}>
    <h3>{props.title}</h3>
    {props.rows.length === 0 ? (
      <Empty>None: every partner's orders carried its click id.</Empty>
    ) : (
      <table class="table table-compact">
        <caption class="sr-only">{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Partner</th>
            <th scope="col">{props.what}</th>
            <th scope="col" class="num">
              Orders
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={`${r.partner}|${r.name}`}>
              <td>{r.partner}</td>
              <td class="break">{r.name ?? <span class="muted">none</span>}</td>
              <td class="num">{count(r.orders)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
)

export const MatchQualityTable = (props: { rows: Coverage["matchQuality"] }) => (
  <section aria-labelledby="match-h">
    <h2 id="match-h">Match quality per target</h2>
    {props.rows.length === 0 ? (
      <Empty>No conversion was sent for these orders.</Empty>
    ) : (
      <DataTable
        caption="Share of conversions sent with each identifier, and the consent they were sent under"
        columns={[
          "Target",
          "Sent",
          "E-mail",
          "Phone",
          "Address",
          "Click id",
          "IP",
          "User agent",
          "Consent granted",
          "denied",
          "unknown"
        ]}
        rows={props.rows}
        rowKey={(m) => m.targetId}
        cells={(m) => (
          <>
            <td>
              {m.targetId} <span class="muted">({m.channel})</span>
            </td>
            <td class="num">{count(m.sent)}</td>
            {[
              m.email,
              m.phone,
              m.address,
              m.clickId,
              m.ip,
              m.userAgent,
              m.consentGranted,
              m.consentDenied,
              m.consentUnknown
            ].map((v, i) => (
              <td key={i} class="num">
                {share(v, m.sent)}
              </td>
            ))}
          </>
        )}
      />
    )}
  </section>
)
