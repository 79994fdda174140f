// Orders: search the conversions view (newest first, a page at a time, server-side), by order key,
// e-mail (hashed in the browser), click id, company, market, partner, target, status, dispatch state
// and time range. The filters live in the address, so a search can be shared as a link.
import { useState } from "preact/hooks"
import { Link, useLocation, useSearch } from "wouter-preact"
import type { FilterOptions } from "../../src/console/api/schemas.ts"
import type { DISPATCH_STATES, ORDER_STATUSES } from "../../src/orders/search.ts"
import type { OrderSearchResult } from "../../src/orders/summary.ts"
import { get } from "../api.ts"
import { DataTable } from "../components/DataTable.tsx"
import { emailKey } from "../components/emailHash.ts"
import { Badge, Empty, ErrorNote, Field, Loading, Page } from "../components/ui.tsx"
import { dateTime } from "../format.ts"
import { useApi } from "../hooks.ts"

// The search's own values (src/orders/search.ts), written out: importing them would bundle effect.
const STATUSES: ReadonlyArray<(typeof ORDER_STATUSES)[number]> = [
  "pending",
  "paid",
  "partially_refunded",
  "refunded",
  "cancelled",
  "ignored"
]
const DISPATCH: ReadonlyArray<(typeof DISPATCH_STATES)[number]> = [
  "none",
  "pending",
  "delivered",
  "partial",
  "failed",
  "dead_lettered",
  "skipped",
  "held"
]
const SELECTS = ["company", "market", "partner", "target", "status", "dispatchState"] as const
const LIMIT = 50

const Select = (props: { name: string; label: string; value: string; options: ReadonlyArray<string> }) => (
  <Field label={props.label}>
    <select name={props.name}>
      <option value="">any</option>
      {props.options.map((o) => (
        <option key={o} value={o} selected={o === props.value}>
          {o}
        </option>
      ))}
    </select>
  </Field>
)

export const OrdersPage = () => {
  const search = useSearch()
  const [, navigate] = useLocation()
  const params = new URLSearchParams(search)
  const [history, setHistory] = useState<ReadonlyArray<string>>([])
  const options = useApi(() => get<FilterOptions>("/filters"), [])
  const result = useApi(
    () => get<OrderSearchResult>("/orders", { ...Object.fromEntries(params), limit: LIMIT }),
    [search]
  )
  const o = options.data
  const selectOptions: Record<(typeof SELECTS)[number], ReadonlyArray<string>> = {
    company: o?.companies ?? [],
    market: o?.markets ?? [],
    partner: o?.partners ?? [],
    target: o?.targets ?? [],
    status: STATUSES,
    dispatchState: DISPATCH
  }
  const submit = (e: Event) => {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    const next = new URLSearchParams()
    for (const [key, value] of form.entries()) {
      const text = String(value).trim()
      if (text === "") continue
      if (key === "emailAddress") next.set("email", emailKey(text))
      else if (key !== "keepEmail") next.set(key, text)
    }
    if (!form.has("emailAddress") || String(form.get("emailAddress")).trim() === "") {
      const kept = params.get("email")
      if (kept !== null && form.get("keepEmail") === "on") next.set("email", kept)
    }
    setHistory([])
    navigate(`/orders?${next.toString()}`)
  }
  const page = (cursor: string | undefined, back: boolean) => {
    const next = new URLSearchParams(search)
    if (cursor === undefined) next.delete("cursor")
    else next.set("cursor", cursor)
    setHistory(back ? history.slice(0, -1) : [...history, params.get("cursor") ?? ""])
    navigate(`/orders?${next.toString()}`)
  }
  const email = params.get("email")
  return (
    <Page title="Orders">
      <form class="filters card" onSubmit={submit} aria-label="Search orders">
        <Field label="Order key" hint="the key or its beginning">
          <input name="orderKey" defaultValue={params.get("orderKey") ?? ""} placeholder="shop-de:1001" />
        </Field>
        <Field label="Customer e-mail" hint="hashed in your browser before it is sent">
          <input name="emailAddress" type="email" autoComplete="off" />
        </Field>
        <Field label="Click id">
          <input name="clickId" defaultValue={params.get("clickId") ?? ""} placeholder="gclid, fbclid, awc…" />
        </Field>
        {SELECTS.map((name) => (
          <Select
            key={name}
            name={name}
            label={name === "dispatchState" ? "Dispatch" : name[0]!.toUpperCase() + name.slice(1)}
            value={params.get(name) ?? ""}
            options={selectOptions[name]}
          />
        ))}
        <Field label="Placed from">
          <input name="from" type="date" defaultValue={params.get("from") ?? ""} />
        </Field>
        <Field label="Placed before">
          <input name="to" type="date" defaultValue={params.get("to") ?? ""} />
        </Field>
        {email === null ? null : (
          <label class="check">
            <input type="checkbox" name="keepEmail" defaultChecked /> keep the e-mail filter ({email.slice(0, 12)}…)
          </label>
        )}
        <div class="filters-actions">
          <button type="submit" class="button-primary">
            Search
          </button>
          <button type="button" onClick={() => navigate("/orders")}>
            Clear
          </button>
        </div>
      </form>
      <ErrorNote error={result.error} />
      {result.data === undefined ? (
        result.loading ? (
          <Loading what="orders" />
        ) : null
      ) : result.data.orders.length === 0 ? (
        <Empty>No order matches these filters.</Empty>
      ) : (
        <>
          <DataTable
            caption="Orders, newest first"
            columns={["Order", "Placed", "Company", "Market", "Partner", "Value", "Status", "Dispatch", "Click id"]}
            rows={result.data.orders}
            rowKey={(order) => order.orderKey}
            cells={(order) => (
              <>
                <td>
                  <Link href={`/order?key=${encodeURIComponent(order.orderKey)}`}>{order.orderKey}</Link>
                </td>
                <td>{dateTime(order.placedAt)}</td>
                <td>{order.company ?? "–"}</td>
                <td>{order.market ?? "–"}</td>
                <td>{order.partner ?? "–"}</td>
                <td class="num">{order.value === null ? "–" : `${order.value.amount} ${order.value.currency}`}</td>
                <td>
                  <Badge value={order.status} />
                </td>
                <td>
                  <Badge value={order.dispatchState} />
                </td>
                <td>{order.hasClickId ? "yes" : "no"}</td>
              </>
            )}
          />
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              disabled={history.length === 0}
              onClick={() => page(history.at(-1) || undefined, true)}
            >
              Newer
            </button>
            <button
              type="button"
              disabled={result.data.nextCursor === null}
              onClick={() => page(result.data?.nextCursor ?? undefined, false)}
            >
              Older
            </button>
          </nav>
        </>
      )}
    </Page>
  )
}
