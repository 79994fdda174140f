// The console's table of records: a caption for screen readers (the section's heading names it for
// everyone else), a header row of column names, one row per record. A record's cells are the page's.
import type { ComponentChildren } from "preact"

export const DataTable = <T,>(props: {
  caption: string
  columns: ReadonlyArray<string>
  rows: ReadonlyArray<T>
  rowKey: (row: T) => string
  cells: (row: T) => ComponentChildren
}) => (
  <table class="table">
    <caption class="sr-only">{props.caption}</caption>
    <thead>
      <tr>
        {props.columns.map((h) => (
          <th key={h} scope="col">
            {h}
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {props.rows.map((row) => (
        <tr key={props.rowKey(row)}>{props.cells(row)}</tr>
      ))}
    </tbody>
  </table>
)
