// Rules: the rule table with who changed what and when, why an order went where it went, and a
// what-if: paste or upload an s2s.yaml and see which recent orders would go elsewhere, before applying
// it (nothing is applied or stored; `s2s config apply FILE` applies it).
import { Link, useLocation, useSearch } from "wouter-preact"
import type { RuleExplanation, RulesList } from "../../src/rules/RulesApi.ts"
import { get } from "../api.ts"
import { DataTable } from "../components/DataTable.tsx"
import { Badge, Empty, ErrorNote, Field, Loading, Page } from "../components/ui.tsx"
import { WhatIf } from "../components/WhatIf.tsx"
import { dateTime } from "../format.ts"
import { useApi } from "../hooks.ts"

const RuleTable = (props: { rules: RulesList }) => (
  <DataTable
    caption="Current rules in the order they apply"
    columns={["#", "Rule", "Company", "Product", "Partner", "Target", "Last change"]}
    rows={props.rules.rules}
    rowKey={(r) => r.ruleId}
    cells={(r) => {
      const last = r.history.at(-1)
      return (
        <>
          <td class="num">{r.position ?? "–"}</td>
          <td>
            <code>{r.ruleId}</code>
            {r.rule.description === undefined ? null : <div class="muted small">{r.rule.description}</div>}
          </td>
          <td>
            <code>{r.rule.company}</code>
          </td>
          <td>
            <code>{r.rule.product}</code>
          </td>
          <td>
            <code>{r.rule.partner}</code>
          </td>
          <td>{r.rule.exclude === true ? <Badge value="exclude" /> : (r.rule.target ?? "–")}</td>
          <td class="small">
            {last === undefined
              ? "–"
              : `${last.type.replace("Rule", "").toLowerCase()} ${dateTime(last.at)} by ${last.actor ?? "?"}`}
          </td>
        </>
      )
    }}
  />
)

const Explain = (props: { orderKey: string }) => {
  const loaded = useApi(
    () =>
      props.orderKey === ""
        ? Promise.resolve(undefined)
        : get<RuleExplanation>("/rules/explain", { orderKey: props.orderKey }),
    [props.orderKey]
  )
  const e = loaded.data
  if (props.orderKey === "") return null
  return (
    <div aria-live="polite">
      <ErrorNote error={loaded.error} />
      {e === undefined ? (
        loaded.loading ? (
          <Loading />
        ) : null
      ) : (
        <>
          <p>
            <Link href={`/order?key=${encodeURIComponent(e.orderKey)}`}>{e.orderKey}</Link>: company{" "}
            <code>{e.order.company}</code>, products <code>{e.order.products.join(", ") || "none"}</code>, partner{" "}
            <code>{e.order.partner ?? "none"}</code>, status <Badge value={e.status} />. Routed to:{" "}
            <strong>{e.targets.map((t) => `${t.targetId} (rule ${t.ruleId})`).join(", ") || "no target"}</strong>.
          </p>
          <DataTable
            caption="Each rule's part in the routing"
            columns={["Rule", "Outcome", "Why"]}
            rows={e.decisions}
            rowKey={(d) => d.ruleId}
            cells={(d) => (
              <>
                <td>
                  <code>{d.ruleId}</code>
                </td>
                <td>
                  <Badge value={d.outcome} />
                </td>
                <td class="break">{d.detail}</td>
              </>
            )}
          />
        </>
      )}
    </div>
  )
}

export const RulesPage = () => {
  const orderKey = new URLSearchParams(useSearch()).get("orderKey") ?? ""
  const [, navigate] = useLocation()
  const rules = useApi(() => get<RulesList>("/rules"), [])
  return (
    <Page title="Rules">
      <section aria-labelledby="rules-h">
        <h2 id="rules-h">Current rules</h2>
        <ErrorNote error={rules.error} />
        {rules.data === undefined ? (
          <Loading />
        ) : rules.data.rules.length === 0 ? (
          <Empty>No rules.</Empty>
        ) : (
          <RuleTable rules={rules.data} />
        )}
      </section>
      <section aria-labelledby="explain-h">
        <h2 id="explain-h">Explain an order</h2>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault()
            const key = String(new FormData(e.target as HTMLFormElement).get("orderKey") ?? "").trim()
            navigate(`/rules?orderKey=${encodeURIComponent(key)}`)
          }}
        >
          <Field label="Order key">
            <input name="orderKey" defaultValue={orderKey} placeholder="shop-de:1001" required />
          </Field>
          <button type="submit">Explain</button>
        </form>
        <Explain orderKey={orderKey} />
      </section>
      <section aria-labelledby="whatif-h">
        <h2 id="whatif-h">What if: a new configuration</h2>
        <WhatIf />
      </section>
    </Page>
  )
}
