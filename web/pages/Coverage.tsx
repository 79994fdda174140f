// Coverage and reconciliation: of the paid orders, how many carried a click id their partner can use,
// were eligible, delivered, and acknowledged by the platform itself; per day (chart and table), per
// company x market x partner x day, the campaigns and landing pages losing click ids, and which
// identifiers went to each target under which consent.
import { useMemo, useState } from "preact/hooks"
import { useLocation, useSearch } from "wouter-preact"
import type { FilterOptions } from "../../src/console/api/schemas.ts"
import type { Coverage, Funnel } from "../../src/console/coverage/schema.ts"
import { get } from "../api.ts"
import { Chart } from "../components/Chart.tsx"
import { Lost, MatchQualityTable } from "../components/CoverageParts.tsx"
import { DataTable } from "../components/DataTable.tsx"
import { Empty, ErrorNote, Field, Loading, Page, Stat } from "../components/ui.tsx"
import { count, share } from "../format.ts"
import { useApi } from "../hooks.ts"

const FUNNEL: ReadonlyArray<readonly [keyof Funnel, string, string]> = [
  ["paid", "Paid orders", "#1f2937"],
  ["withClickId", "With a usable click id", "#2563eb"],
  ["eligible", "Eligible", "#7c3aed"],
  ["delivered", "Delivered", "#047857"],
  ["acknowledged", "Acknowledged by the platform", "#b45309"]
]

const ROWS_PAGE = 50

const Select = (props: { name: string; label: string; value: string; options: ReadonlyArray<string> }) => (
  <Field label={props.label}>
    <select name={props.name}>
      <option value="">all</option>
      {props.options.map((o) => (
        <option key={o} value={o} selected={o === props.value}>
          {o}
        </option>
      ))}
    </select>
  </Field>
)

export const CoveragePage = () => {
  const search = useSearch()
  const [, navigate] = useLocation()
  const params = new URLSearchParams(search)
  const [shown, setShown] = useState(ROWS_PAGE)
  const options = useApi(() => get<FilterOptions>("/filters"), [])
  const loaded = useApi(() => get<Coverage>("/coverage", Object.fromEntries(params)), [search])
  const data = loaded.data
  const chart = useMemo(
    () =>
      data === undefined
        ? undefined
        : {
            x: data.days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
            series: FUNNEL.map(([key, label, color]) => ({ label, color, values: data.days.map((d) => d[key]) }))
          },
    [data]
  )
  const submit = (e: Event) => {
    e.preventDefault()
    const next = new URLSearchParams()
    for (const [key, value] of new FormData(e.target as HTMLFormElement).entries())
      if (String(value).trim() !== "") next.set(key, String(value).trim())
    setShown(ROWS_PAGE)
    navigate(`/coverage?${next.toString()}`)
  }
  const t = data?.totals
  return (
    <Page title="Coverage">
      <form class="filters card" onSubmit={submit} aria-label="Coverage filters">
        <Field label="From (UTC day)">
          <input type="date" name="from" defaultValue={params.get("from") ?? ""} />
        </Field>
        <Field label="Before (UTC day)">
          <input type="date" name="to" defaultValue={params.get("to") ?? ""} />
        </Field>
        <Select
          name="company"
          label="Company"
          value={params.get("company") ?? ""}
          options={options.data?.companies ?? []}
        />
        <Select name="market" label="Market" value={params.get("market") ?? ""} options={options.data?.markets ?? []} />
        <Select
          name="partner"
          label="Partner"
          value={params.get("partner") ?? ""}
          options={options.data?.partners ?? []}
        />
        <div class="filters-actions">
          <button type="submit" class="button-primary">
            Show
          </button>
        </div>
      </form>
      <ErrorNote error={loaded.error} />
      {data === undefined || t === undefined || chart === undefined ? (
        loaded.loading ? (
          <Loading what="coverage" />
        ) : null
      ) : (
        <>
          <p class="muted">
            Orders paid from {data.from.slice(0, 10)} to before {data.to.slice(0, 10)} (UTC), test and ignored orders
            left out.
          </p>
          <div class="stats">
            <Stat label="Paid orders" value={count(t.paid)} />
            <Stat label="With a usable click id" value={share(t.withClickId, t.paid)} detail={count(t.withClickId)} />
            <Stat label="Eligible" value={share(t.eligible, t.paid)} detail={count(t.eligible)} />
            <Stat
              label="Delivered"
              value={share(t.delivered, t.eligible)}
              detail={`${count(t.delivered)} of the eligible`}
            />
            <Stat
              label="Acknowledged"
              value={share(t.acknowledged, t.delivered)}
              detail={`${count(t.acknowledged)} of the delivered`}
            />
          </div>
          <Chart
            title="Per day"
            summary={`Daily paid orders and how many had a usable click id, were delivered and acknowledged, from ${data.from.slice(0, 10)}; the table below has the same numbers.`}
            x={chart.x}
            series={chart.series}
          />
          <section aria-labelledby="rows-h">
            <h2 id="rows-h">By company, market, partner and day</h2>
            {data.rows.length === 0 ? (
              <Empty>No paid order in this range.</Empty>
            ) : (
              <>
                <DataTable
                  caption="Coverage per company, market, partner and day"
                  columns={["Day", "Company", "Market", "Partner", ...FUNNEL.map(([, label]) => label)]}
                  rows={data.rows.slice(0, shown)}
                  rowKey={(r) => `${r.day}|${r.company}|${r.market}|${r.partner}`}
                  cells={(r) => (
                    <>
                      <td>{r.day}</td>
                      <td>{r.company ?? "–"}</td>
                      <td>{r.market ?? "–"}</td>
                      <td>{r.partner ?? "none"}</td>
                      <td class="num">{count(r.paid)}</td>
                      <td class="num">{`${count(r.withClickId)} (${share(r.withClickId, r.paid)})`}</td>
                      <td class="num">{count(r.eligible)}</td>
                      <td class="num">{count(r.delivered)}</td>
                      <td class="num">{count(r.acknowledged)}</td>
                    </>
                  )}
                />
                {shown >= data.rows.length ? null : (
                  <button type="button" onClick={() => setShown(shown + ROWS_PAGE)}>
                    Show {Math.min(ROWS_PAGE, data.rows.length - shown)} more of {count(data.rows.length - shown)}
                  </button>
                )}
              </>
            )}
          </section>
          <h2>Losing click ids</h2>
          <div class="grid-2">
            <Lost title="Campaigns" what="utm_campaign" rows={data.lostCampaigns} />
            <Lost title="Landing pages" what="Landing page" rows={data.lostLandingPages} />
          </div>
          <MatchQualityTable rows={data.matchQuality} />
        </>
      )}
    </Page>
  )
}
