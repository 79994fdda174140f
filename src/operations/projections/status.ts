// Where each projection stands: the generation serving reads, a rebuild in progress, the live
// checkpoint and how far it trails the log. Read-only: a projection the projector never started
// shows as such instead of being registered here.
import type { Queryable } from "../../db/Db.js"
import { lag } from "../../projections/runner.js"

export interface ProjectionStatus {
  readonly name: string
  readonly activeGeneration: number | null
  readonly rebuildingGeneration: number | null
  /** Global position of the last event applied to the active generation. */
  readonly checkpoint: number | null
  readonly eventsApplied: number | null
  readonly lagEvents: number | null
  readonly lagSeconds: number | null
}

export const projectionStatus = async (
  sql: Queryable,
  names: ReadonlyArray<string>
): Promise<ReadonlyArray<ProjectionStatus>> => {
  const rows = await sql<
    Array<{
      name: string
      active_generation: number
      rebuilding_generation: number | null
      last_position: string | null
      events_applied: string | null
    }>
  >`
    select p.name, p.active_generation, p.rebuilding_generation, c.last_position, c.events_applied
    from projections p
    left join projection_checkpoints c on c.name = p.name and c.generation = p.active_generation
    where p.name = any(${names as Array<string>}::text[])`
  const byName = new Map(rows.map((r) => [r.name, r]))
  const out: Array<ProjectionStatus> = []
  for (const name of names) {
    const row = byName.get(name)
    if (row === undefined || row.last_position === null) {
      out.push({
        name,
        activeGeneration: row?.active_generation ?? null,
        rebuildingGeneration: row?.rebuilding_generation ?? null,
        checkpoint: null,
        eventsApplied: null,
        lagEvents: null,
        lagSeconds: null
      })
      continue
    }
    const behind = await lag(sql, name, row.active_generation)
    out.push({
      name,
      activeGeneration: row.active_generation,
      rebuildingGeneration: row.rebuilding_generation,
      checkpoint: Number(row.last_position),
      eventsApplied: Number(row.events_applied ?? 0),
      lagEvents: behind.events,
      lagSeconds: Math.round(behind.seconds * 10) / 10
    })
  }
  return out
}
