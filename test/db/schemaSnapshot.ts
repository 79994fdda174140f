// A database's schema as sorted lines of text, read from pg_catalog: two databases with the same lines
// have the same tables (persistence, owner, privileges), columns in the same order (type, collation,
// default, nullability, identity), indexes, constraints, functions (pg_get_functiondef: body,
// volatility, security definer, SET settings), triggers, views, sequences, types, comments, row counts
// and the memberships of the s2s roles. Object ids and names generated per database are left out, so
// the lines of two databases compare directly and a difference reads as a line diff.
import type postgres from "postgres"

const SCHEMAS = ["public", "graphile_worker", "graphile_worker_private"]

export const schemaSnapshot = async (sql: postgres.Sql): Promise<string> => {
  const lines: Array<string> = []
  const add = (rows: ReadonlyArray<{ line: string }>) => {
    for (const r of rows) lines.push(r.line)
  }
  const schemas = SCHEMAS

  // Privileges as sorted grantee:privilege(grantable) by grantor, null = the defaults.
  const acl = (column: string) => `
    coalesce((select string_agg(g.item, ', ' order by g.item) from (
        select case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end || ':' || a.privilege_type
          || case when a.is_grantable then '*' else '' end || '/' || pg_get_userbyid(a.grantor) as item
        from aclexplode(${column}) a) g), 'default')`

  add(
    await sql.unsafe(
      `select 'schema ' || n.nspname || ' owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || ${acl("n.nspacl")} as line
       from pg_namespace n where n.nspname = any($1)`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text
         || ' owner=' || pg_get_userbyid(c.relowner) || ' acl=' || ${acl("c.relacl")}
         || ' options=' || coalesce(array_to_string(c.reloptions, ','), '') || ' rls=' || c.relrowsecurity as line
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c')`,
      [schemas]
    )
  )
  // Columns by position among the live ones (a dropped column leaves a gap in attnum).
  add(
    await sql.unsafe(
      `select 'column ' || n.nspname || '.' || c.relname || ' #' || lpad(row_number() over (partition by c.oid order by a.attnum)::text, 3, '0')
         || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || coalesce(' collate ' || co.collname, '')
         || case when a.attnotnull then ' not null' else '' end
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
         || case a.attidentity when 'a' then ' identity always' when 'd' then ' identity by default' else '' end
         || case a.attgenerated when 's' then ' generated' else '' end
         || ' acl=' || ${acl("a.attacl")} as line
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       left join pg_collation co on co.oid = a.attcollation and a.attcollation <> (select oid from pg_collation where collname = 'default' and collnamespace = 'pg_catalog'::regnamespace)
       where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and a.attnum > 0 and not a.attisdropped`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'index ' || n.nspname || '.' || i.relname || ': ' || pg_get_indexdef(i.oid)
         || case when x.indisvalid then '' else ' INVALID' end as line
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = i.relnamespace
       where n.nspname = any($1)`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'constraint ' || n.nspname || '.' || coalesce(c.relname, t.typname) || ' ' || k.conname || ' ' || k.contype::text
         || ': ' || pg_get_constraintdef(k.oid)
         || case when k.condeferrable then ' deferrable' else '' end as line
       from pg_constraint k join pg_namespace n on n.oid = k.connamespace
       left join pg_class c on c.oid = k.conrelid left join pg_type t on t.oid = k.contypid
       where n.nspname = any($1)`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
         || ' owner=' || pg_get_userbyid(p.proowner) || ' acl=' || ${acl("p.proacl")} || E'\\n'
         || case when p.prokind = 'a' then 'aggregate' else pg_get_functiondef(p.oid) end as line
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1)`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'trigger ' || n.nspname || '.' || c.relname || ' ' || t.tgname || ' enabled=' || t.tgenabled::text || ': '
         || pg_get_triggerdef(t.oid) as line
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) and not t.tgisinternal`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'view ' || n.nspname || '.' || c.relname || E'\\n' || pg_get_viewdef(c.oid) as line
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) and c.relkind in ('v', 'm')`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'sequence ' || n.nspname || '.' || c.relname || ' ' || format_type(s.seqtypid, null) || ' start=' || s.seqstart
         || ' increment=' || s.seqincrement || ' min=' || s.seqmin || ' max=' || s.seqmax || ' cache=' || s.seqcache
         || ' cycle=' || s.seqcycle || coalesce(' owned by ' || d.refobjid::regclass::text || '.' || a.attname, '') as line
       from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
       left join pg_depend d on d.objid = c.oid and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
       left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
       where n.nspname = any($1)`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text || ' owner=' || pg_get_userbyid(t.typowner)
         || coalesce(' labels=' || (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '')
         || coalesce(' base=' || format_type(nullif(t.typbasetype, 0), t.typtypmod), '') as line
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
       where n.nspname = any($1) and t.typtype in ('e', 'd', 'r', 'm')
          or (n.nspname = any($1) and t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c')`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ': ' || d.description as line
       from pg_description d
       where (d.classoid = 'pg_class'::regclass and d.objoid in (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1)))
          or (d.classoid = 'pg_proc'::regclass and d.objoid in (select p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)))
          or (d.classoid = 'pg_namespace'::regclass and d.objoid in (select oid from pg_namespace where nspname = any($1)))`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'policy ' || c.relname || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') as line
       from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1)`,
      [schemas]
    )
  )
  add(
    await sql.unsafe(
      `select 'default privileges ' || pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text
         || ' ' || ${acl("d.defaclacl")} as line
       from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace`
    )
  )
  add(await sql.unsafe(`select 'extension ' || extname || ' ' || extversion as line from pg_extension`))
  // Roles are cluster-wide: two databases of one server share them; listed so the baseline's roles
  // are checked to exist with these attributes and memberships.
  add(
    await sql.unsafe(
      `select 'role ' || r.rolname || ' login=' || r.rolcanlogin || ' inherit=' || r.rolinherit
         || ' members=' || coalesce((select string_agg(pg_get_userbyid(m.member) || case when m.admin_option then '*' else '' end, ',' order by m.member)
                                     from pg_auth_members m where m.roleid = r.oid), '') as line
       from pg_roles r where r.rolname in ('s2s_app', 's2s_eraser')`
    )
  )
  // Rows seeded by the migrations (settings) and none elsewhere; schema_migrations records differ by
  // design, graphile-worker's migration log by timestamps.
  const tables = await sql.unsafe<Array<{ name: string }>>(
    `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1) and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations'`,
    [schemas]
  )
  for (const { name } of tables) {
    const [row] = await sql.unsafe<Array<{ n: string }>>(`select count(*)::text as n from ${name}`)
    lines.push(`rows ${name}: ${row?.n}`)
  }
  return lines.sort().join("\n")
}
