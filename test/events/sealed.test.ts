// The event store is sealed: only src/events/ names the events table (or event_streams, or the
// append functions) in SQL. Everything else reads and appends through the store's API, so the one
// append path and the commit-safe read horizon cannot be bypassed by accident.
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = join(import.meta.dirname, "../..")
const SRC = join(ROOT, "src")
const STORE = join(SRC, "events")

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : /\.(ts|tsx|mts)$/.test(d.name) ? [join(dir, d.name)] : []
  )

/** Comments out (so prose may say "appended into events"), strings and templates kept. */
const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/(^|[\s;{}(),])\/\/.*$/gm, "$1")

const TABLE = String.raw`(?:public\.)?"?(?:events|event_streams)"?`
/** What names the table in SQL: a clause that takes a table, or a comma join with an alias. */
const PATTERNS: ReadonlyArray<RegExp> = [
  new RegExp(String.raw`\b(?:from|into|join|update|table|truncate|copy|only)\s+${TABLE}(?![\w-])`, "i"),
  new RegExp(String.raw`,\s*${TABLE}\s+(?:as\s+)?[a-z_]\w*\s*(?:where|on|join|,|\))`, "i"),
  /\bs2s_(?:append\w*|record_deliveries)\b/i,
  /\bsql\(\s*["'`](?:events|event_streams)["'`]/i
]

/** Each backtick literal of the file (tagged templates are where the SQL is). */
const templates = (code: string) => code.match(/`(?:\\[\s\S]|[^`\\])*`/g) ?? []

const offences = (code: string): Array<string> =>
  templates(stripComments(code)).flatMap((t) => PATTERNS.flatMap((p) => p.exec(t)?.[0] ?? []))

describe("the sealed event store", () => {
  it("recognises the ways SQL names the events table", () => {
    const named = [
      "sql`select * from events where x`",
      "sql`insert into events (a) values (1)`",
      "sql`select 1 from orders o join events e on e.x = o.x`",
      "sql`update events set data = 1`",
      "sql`select 1 from horizon h, events e where true`",
      "sql`select version from event_streams where stream_id = 1`",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a placeholder, scanned as such
      "sql`select s2s_append(${a}::jsonb, null)`",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a placeholder, scanned as such
      "sql`select s2s_record_deliveries(${a})`",
      "sql`select count(*) from public.events`"
    ]
    for (const code of named) expect(offences(code), code).not.toEqual([])
    const innocent = [
      "// appended into events by the store\nconst a = 1",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a placeholder, scanned as such
      "/** reads from events */ const b = `${x} events`",
      "log(`3 events from the webhook`)",
      "sql`select * from projection_events_seen`",
      "sql`select * from events_archive`"
    ]
    for (const code of innocent) expect(offences(code), code).toEqual([])
  })

  it("no file outside src/events names the events table in SQL", () => {
    const found = sourceFiles(SRC)
      .filter((f) => !f.startsWith(`${STORE}/`))
      .flatMap((f) => offences(readFileSync(f, "utf8")).map((o) => `${relative(ROOT, f)}: ${o}`))
    expect(found).toEqual([])
  })

  it("inserts events only through s2s_append_stream (sql/0010), not from TypeScript", () => {
    const inserts = sourceFiles(SRC).flatMap((f) =>
      templates(stripComments(readFileSync(f, "utf8"))).some((t) => /\binsert\s+into\s+events\b/i.test(t))
        ? [relative(ROOT, f)]
        : []
    )
    expect(inserts).toEqual([])
  })
})
