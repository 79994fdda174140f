// Progress and summary lines for long operations, pure: the CLI decides where they go (one updating
// line on a terminal's stderr; nothing when stderr is not a terminal).
import type { RebuildReport } from "../projections/rebuild.js"

const count = (n: number) => Math.round(n).toLocaleString("en-US")

export const formatDuration = (ms: number): string => {
  if (ms < 1_000) return `${Math.round(ms)} ms`
  const s = ms / 1_000
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

/** "conversions: 12,000 / 48,000 events (25%), 8,000 events/s, ETA 4.5 s" (or orders, webhooks, ...) */
export const progressLine = (name: string, done: number, total: number, elapsedMs: number, unit = "events"): string => {
  const rate = elapsedMs > 0 ? (done * 1_000) / elapsedMs : 0
  const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100
  const eta = rate > 0 && total > done ? `, ETA ${formatDuration(((total - done) / rate) * 1_000)}` : ""
  return `${name}: ${count(done)} / ${count(total)} ${unit} (${percent}%), ${count(rate)} ${unit}/s${eta}`
}

/** Calls `write` at most every `intervalMs` (and always for the last step), for a terminal that redraws. */
export const throttled = (intervalMs: number, now: () => number = Date.now) => {
  let last = Number.NEGATIVE_INFINITY
  return (force = false) => {
    const t = now()
    if (!force && t - last < intervalMs) return false
    last = t
    return true
  }
}

export const rebuildSummary = (r: RebuildReport): ReadonlyArray<string> => [
  `${r.projection}: rebuilt generation ${r.fromGeneration} -> ${r.toGeneration} in ${formatDuration(r.durationMs)}: ` +
    `${count(r.events)} events, ${count(r.rows)} rows; ${r.added} added, ${r.removed} removed, ${r.changed} changed`,
  ...r.samples.map((s) => `  ${s.change}: ${s.key}`)
]
