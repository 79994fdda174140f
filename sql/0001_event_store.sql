-- The event log: one append-only table, ordered globally by (transaction_id, global_position).
--
-- Readers page by (transaction_id, global_position) and only read rows whose transaction_id is below
-- pg_snapshot_xmin(pg_current_snapshot()): identity values are assigned at INSERT but become visible at
-- COMMIT, so paging by global_position alone skips events committed out of order.

-- The application connects with `SET ROLE s2s_app` (a startup parameter): it may read and append, never
-- rewrite. Roles are cluster-wide, so creation tolerates a concurrent migrator in another database.
do $$
begin
  create role s2s_app nologin;
exception when duplicate_object or unique_violation then
  null;
end
$$;
grant s2s_app to current_user;
grant usage on schema public to s2s_app;

create table event_streams (
  stream_id text collate "C" primary key,
  version bigint not null check (version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table events (
  global_position bigint generated always as identity primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  -- collate "C" lets `stream_id like 'prefix%'` use the unique index below.
  stream_id text collate "C" not null,
  stream_version bigint not null check (stream_version > 0),
  event_id uuid not null unique,
  type text not null,
  schema_version integer not null default 1,
  data jsonb not null,
  metadata jsonb not null default '{}'::jsonb,
  recorded_at timestamptz not null default now(),
  unique (stream_id, stream_version)
);

create index events_transaction_position on events (transaction_id, global_position);
create index events_recorded_at on events (recorded_at);

-- Immutability is enforced by the database, not by convention: statement triggers refuse every
-- UPDATE, DELETE and TRUNCATE (they fire for the owner too), and the app role holds neither the
-- privileges nor the ownership needed to drop or disable them.
create function s2s_refuse_event_change() returns trigger
language plpgsql as $$
begin
  raise exception 'the event log is append-only: % on % is refused', tg_op, tg_table_name
    using errcode = 'S2E01';
end
$$;

create trigger events_refuse_update_delete
  before update or delete on events
  for each statement execute function s2s_refuse_event_change();

create trigger events_refuse_truncate
  before truncate on events
  for each statement execute function s2s_refuse_event_change();

revoke all on events from public;
revoke all on event_streams from public;
grant select, insert on events to s2s_app;
grant select, insert, update on event_streams to s2s_app;

-- Jobs are enqueued in the transaction that appends the event causing them. graphile_worker.add_jobs
-- needs the schema owner's rights, so the app role calls it through this wrapper: one call (and one
-- NOTIFY) per transaction, whatever the number of jobs.
create function s2s_enqueue(specs json) returns void
language sql
security definer
set search_path = pg_catalog, public
as $$
  select count(*) from graphile_worker.add_jobs(
    array(
      select row(s.identifier, s.payload, s.queue_name, s.run_at, s.max_attempts, s.job_key, s.priority, s.flags)::graphile_worker.job_spec
      from json_populate_recordset(null::graphile_worker.job_spec, specs) s
    )
  );
$$;

revoke all on function s2s_enqueue(json) from public;
grant execute on function s2s_enqueue(json) to s2s_app;
