// Queue health, as Horizon shows it: jobs waiting, scheduled, running and failed per task with the
// oldest waiting age, jobs finished per minute over the last hour, the workers and their last sign of
// life, and each projection's position, lag and rebuild progress. Refreshed every 5 seconds.
import { useCallback, useMemo } from "preact/hooks"
import type { QueueHealth } from "../../src/console/queue/schema.ts"
import { get } from "../api.ts"
import { Chart } from "../components/Chart.tsx"
import { Empty, ErrorNote, Loading, Page, Stat } from "../components/ui.tsx"
import { ago, count, seconds } from "../format.ts"
import { useApi, useInterval } from "../hooks.ts"

const COLORS = ["#2563eb", "#047857", "#b45309", "#7c3aed", "#be123c"]

export const QueuePage = () => {
  const loaded = useApi(() => get<QueueHealth>("/queue"), [])
  const reload = useCallback(() => loaded.reload(), [loaded.reload])
  useInterval(reload, 5_000)
  const data = loaded.data
  const chart = useMemo(
    () =>
      data === undefined
        ? undefined
        : {
            x: data.throughput.minutes.map((m) => Date.parse(m) / 1000),
            series: data.throughput.series.map((s, i) => ({
              label: s.task,
              color: COLORS[i % COLORS.length]!,
              values: s.counts
            }))
          },
    [data]
  )
  const waiting = data?.tasks.reduce((n, t) => n + t.queued, 0) ?? 0
  const failed = data?.tasks.reduce((n, t) => n + t.failed, 0) ?? 0
  const lastMinute = data?.throughput.series.reduce((n, s) => n + (s.counts.at(-2) ?? 0), 0) ?? 0
  const oldest = data?.tasks.reduce((m, t) => Math.max(m, t.oldestQueuedSeconds), 0) ?? 0
  return (
    <Page
      title="Queue"
      actions={<span class="muted small">{data === undefined ? "" : `updated ${ago(data.at)}, every 5 s`}</span>}
    >
      <ErrorNote error={loaded.error} />
      {data === undefined || chart === undefined ? (
        loaded.loading ? (
          <Loading what="the queue" />
        ) : null
      ) : (
        <>
          <div class="stats">
            <Stat label="Jobs waiting" value={count(waiting)} />
            <Stat label="Oldest waiting" value={seconds(oldest)} />
            <Stat label="Finished, last full minute" value={count(lastMinute)} />
            <Stat label="Failed (out of attempts)" value={count(failed)} />
            <Stat label="Workers running jobs" value={count(data.workers.length)} />
          </div>
          <section aria-labelledby="tasks-h">
            <h2 id="tasks-h">Jobs by task</h2>
            <table class="table">
              <caption class="sr-only">Jobs per task and state</caption>
              <thead>
                <tr>
                  {["Task", "Waiting", "Scheduled", "Running", "Failed", "Oldest waiting"].map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.tasks.map((t) => (
                  <tr key={t.task}>
                    <td>
                      <code>{t.task}</code>
                    </td>
                    <td class="num">{count(t.queued)}</td>
                    <td class="num">{count(t.scheduled)}</td>
                    <td class="num">{count(t.running)}</td>
                    <td class="num">{count(t.failed)}</td>
                    <td class="num">{t.queued === 0 ? "–" : seconds(t.oldestQueuedSeconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <Chart
            title="Jobs finished per minute, last hour"
            summary={`Jobs finished per minute by task over the last hour; ${count(lastMinute)} in the last full minute.`}
            x={chart.x}
            series={chart.series}
            height={200}
          />
          <section aria-labelledby="workers-h">
            <h2 id="workers-h">Workers</h2>
            <p class="muted small">From {data.workersSource}.</p>
            {data.workers.length === 0 ? (
              <Empty>No worker holds a job right now.</Empty>
            ) : (
              <table class="table">
                <caption class="sr-only">Workers and their last sign of life</caption>
                <thead>
                  <tr>
                    {["Worker", "Jobs running", "Last took a job"].map((h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.workers.map((w) => (
                    <tr key={w.workerId}>
                      <td>
                        <code>{w.workerId}</code>
                      </td>
                      <td class="num">{w.running}</td>
                      <td>{ago(w.lastSeenAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="projections-h">
            <h2 id="projections-h">Projections</h2>
            <table class="table">
              <caption class="sr-only">Read models: position in the log, lag and rebuilds</caption>
              <thead>
                <tr>
                  {["Projection", "Generation", "Position", "Behind (events)", "Behind (time)", "Rebuild"].map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.projections.map((p) => (
                  <tr key={p.name}>
                    <td>
                      <code>{p.name}</code>
                    </td>
                    <td class="num">{p.activeGeneration ?? "–"}</td>
                    <td class="num">
                      {p.checkpoint === null ? "not started" : `${count(p.checkpoint)} of ${count(data.headPosition)}`}
                    </td>
                    <td class="num">{p.lagEvents === null ? "–" : count(p.lagEvents)}</td>
                    <td class="num">{p.lagSeconds === null ? "–" : seconds(p.lagSeconds)}</td>
                    <td>
                      {p.rebuild === null ? (
                        "–"
                      ) : (
                        <label>
                          generation {p.rebuild.generation}: {p.rebuild.percent}%{" "}
                          <progress max={100} value={p.rebuild.percent} />
                        </label>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </Page>
  )
}
