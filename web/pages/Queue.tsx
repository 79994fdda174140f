// Queue health, as Horizon shows it: jobs waiting, scheduled, running and failed per task with the
// oldest waiting age, jobs finished per minute over the last hour, the workers and their last sign of
// life, and each projection's position, lag and rebuild progress. Refreshed every 5 seconds.
import { useCallback, useMemo } from "preact/hooks"
import type { QueueHealth } from "../../src/console/queue/schema.ts"
import { get } from "../api.ts"
import { Chart } from "../components/Chart.tsx"
import { DataTable } from "../components/DataTable.tsx"
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
            <DataTable
              caption="Jobs per task and state"
              columns={["Task", "Waiting", "Scheduled", "Running", "Failed", "Oldest waiting"]}
              rows={data.tasks}
              rowKey={(t) => t.task}
              cells={(t) => (
                <>
                  <td>
                    <code>{t.task}</code>
                  </td>
                  <td class="num">{count(t.queued)}</td>
                  <td class="num">{count(t.scheduled)}</td>
                  <td class="num">{count(t.running)}</td>
                  <td class="num">{count(t.failed)}</td>
                  <td class="num">{t.queued === 0 ? "–" : seconds(t.oldestQueuedSeconds)}</td>
                </>
              )}
            />
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
              <DataTable
                caption="Workers and their last sign of life"
                columns={["Worker", "Jobs running", "Last took a job"]}
                rows={data.workers}
                rowKey={(w) => w.workerId}
                cells={(w) => (
                  <>
                    <td>
                      <code>{w.workerId}</code>
                    </td>
                    <td class="num">{w.running}</td>
                    <td>{ago(w.lastSeenAt)}</td>
                  </>
                )}
              />
            )}
          </section>
          <section aria-labelledby="projections-h">
            <h2 id="projections-h">Projections</h2>
            <DataTable
              caption="Read models: position in the log, lag and rebuilds"
              columns={["Projection", "Generation", "Position", "Behind (events)", "Behind (time)", "Rebuild"]}
              rows={data.projections}
              rowKey={(p) => p.name}
              cells={(p) => (
                <>
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
                </>
              )}
            />
          </section>
        </>
      )}
    </Page>
  )
}
