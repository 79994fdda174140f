// One order: what it is (view), where it went (targets), and everything that happened (timeline).
// `actions` adds the operator's buttons; a signed link shows the same page without them.
import type { ComponentChildren } from "preact"
import type { OrderDetail } from "../../src/console/api/schemas.ts"
import { dateTime } from "../format.ts"
import { DataTable } from "./DataTable.tsx"
import { Timeline } from "./Timeline.tsx"
import { Badge } from "./ui.tsx"

const Row = (props: { label: string; children: ComponentChildren }) => (
  <>
    <dt>{props.label}</dt>
    <dd>{props.children}</dd>
  </>
)

const show = (value: unknown) =>
  typeof value === "object" && value !== null
    ? Object.entries(value)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(", ")
    : String(value)

const clean = (record: Record<string, unknown> | null | undefined) =>
  Object.entries(record ?? {}).filter(
    ([, v]) =>
      v !== undefined && v !== null && v !== "" && !(typeof v === "object" && Object.keys(v as object).length === 0)
  )

export const OrderDetailView = (props: {
  detail: OrderDetail
  targetAction?: (target: OrderDetail["view"]["targets"][number]) => ComponentChildren
}) => {
  const { view, log, timeline } = props.detail
  const tracking = view.tracking
  return (
    <>
      <div class="grid-2">
        <section class="card" aria-labelledby="summary-h">
          <h2 id="summary-h">Summary</h2>
          <dl class="facts">
            <Row label="Status">
              <Badge value={view.status} />{" "}
              {view.ignored === null ? null : `(${view.ignored.reason}: ${view.ignored.detail})`}
            </Row>
            <Row label="Dispatch">
              <Badge value={view.dispatchState} />
            </Row>
            <Row label="Value">{view.value === null ? "–" : `${view.value.amount} ${view.value.currency}`}</Row>
            <Row label="Company / market">
              {view.company ?? "–"} / {view.market ?? "–"}
            </Row>
            <Row label="Partner">{view.partner ?? "none recognised"}</Row>
            <Row label="Products">{view.products.join(", ") || "–"}</Row>
            <Row label="Placed / paid">
              {dateTime(view.placedAt)} / {dateTime(view.paidAt)}
            </Row>
            <Row label="Source">
              {view.sourceId} ({view.platform ?? "?"} {view.orderNumber ?? view.platformOrderId ?? ""})
            </Row>
            {view.test ? <Row label="Test order">yes</Row> : null}
          </dl>
        </section>
        <section class="card" aria-labelledby="tracking-h">
          <h2 id="tracking-h">Tracking and customer</h2>
          <dl class="facts">
            {clean(tracking as unknown as Record<string, unknown>).map(([k, v]) => (
              <Row key={k} label={k}>
                <span class="break">{show(v)}</span>
              </Row>
            ))}
            <Row label="Consent">
              {view.consent === null
                ? "–"
                : `ad_user_data ${view.consent.adUserData ?? "unknown"}, ad_personalization ${view.consent.adPersonalization ?? "unknown"}`}
            </Row>
            {clean(view.customer as unknown as Record<string, unknown>).map(([k, v]) => (
              <Row key={k} label={`customer ${k}`}>
                {String(v)}
              </Row>
            ))}
          </dl>
          <p class="muted small">{view.masked ? "Personal data is masked." : "Personal data is shown in clear."}</p>
        </section>
      </div>
      <section aria-labelledby="targets-h">
        <h2 id="targets-h">Targets</h2>
        {view.targets.length === 0 ? (
          <p class="empty">Not routed to any target.</p>
        ) : (
          <DataTable
            caption="Dispatch state per target"
            columns={[
              "Target",
              "Kind",
              "Rule",
              "Status",
              "Attempts",
              "Last attempt",
              "Last reason",
              ...(props.targetAction ? ["Action"] : [])
            ]}
            rows={view.targets}
            rowKey={(t) => `${t.targetId}|${t.kind}`}
            cells={(t) => (
              <>
                <td>
                  {t.targetId} <span class="muted">({t.channel})</span>
                </td>
                <td>{t.kind}</td>
                <td>{t.ruleId}</td>
                <td>
                  <Badge value={t.status} />
                </td>
                <td class="num">{t.attempts}</td>
                <td>{dateTime(t.lastAttemptAt)}</td>
                <td class="break">{[t.lastReason, t.lastMessage].filter((x) => x !== null).join(": ") || "–"}</td>
                {props.targetAction ? <td>{props.targetAction(t)}</td> : null}
              </>
            )}
          />
        )}
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <p class="muted small">
          {log.events.length} events, oldest first: webhooks, normalization, routing decisions, each dispatch attempt
          with its request and response, alerts and operator actions.
        </p>
        <Timeline entries={timeline} events={log.events} />
      </section>
    </>
  )
}
