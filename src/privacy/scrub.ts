// Every stored form of a subject's email and phone numbers, removed from every table: the event log
// (data and metadata), projections, alert grouping state, graphile-worker's jobs (payloads and
// errors), and any table added later, since the scan reads the catalog instead of a list. Each text,
// json and jsonb column is pre-filtered in SQL (needles.ts sqlFilters) and the candidates are
// scrubbed in JS with the exact patterns. Columns in a primary key or unique index are identities
// (stream ids, order keys) and are not rewritten.
//
// Runs inside the erasure transaction (`s2s.erasure = 'on'`, as the owner), so the events table's
// UPDATE is the guarded escape hatch of sql/0002_privacy.sql; DELETE stays refused.
import type { TxSql } from "../db/Db.js"
import { type SubjectNeedles, scrubJsonText, scrubText } from "./needles.js"

interface Column {
  readonly table_schema: string
  readonly table_name: string
  readonly column_name: string
  readonly data_type: "text" | "character varying" | "json" | "jsonb"
}

/** Rows changed per table (`schema.table`). */
export type ScrubCounts = Readonly<Record<string, number>>

const columnsToScan = (tx: TxSql) =>
  tx<Array<Column>>`
    select c.table_schema, c.table_name, c.column_name, c.data_type
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where t.table_type = 'BASE TABLE'
      and c.table_schema not in ('pg_catalog', 'information_schema')
      and c.table_schema not like 'pg\\_%'
      and c.data_type in ('text', 'character varying', 'json', 'jsonb')
      and not exists (
        select 1 from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
          and i.indisunique and a.attname = c.column_name
      )
    order by c.table_schema, c.table_name, c.ordinal_position`

export const scrubDatabase = async (tx: TxSql, needles: SubjectNeedles): Promise<ScrubCounts> => {
  const counts: Record<string, number> = {}
  const filter = needles.sqlFilters.join("|")
  if (filter === "") return counts
  for (const column of await columnsToScan(tx)) {
    const table = tx(`${column.table_schema}.${column.table_name}`)
    const name = tx(column.column_name)
    const rows = await tx<Array<{ ctid: string; value: string }>>`
      select ctid::text as ctid, ${name}::text as value from ${table} where ${name}::text ~* ${filter}`
    for (const row of rows) {
      const isJson = column.data_type === "json" || column.data_type === "jsonb"
      const next = isJson ? scrubJsonText(row.value, needles) : scrubText(row.value, needles)
      if (next === row.value) continue
      // Sent as text and cast by the server: a string parameter typed json would be encoded again.
      await tx`
        update ${table} set ${name} = (${next}::text)::${tx.unsafe(isJson ? column.data_type : "text")}
        where ctid = ${row.ctid}::tid`
      const key = `${column.table_schema}.${column.table_name}`
      counts[key] = (counts[key] ?? 0) + 1
    }
  }
  return counts
}
