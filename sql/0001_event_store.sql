-- The event log: one append-only table, ordered globally by (transaction_id, global_position), and
-- one row per stream holding its version (optimistic concurrency). Every fact the service knows is a
-- row here; every other table is derived from it or is working state beside it.
--
-- Readers page by (transaction_id, global_position) and only read rows whose transaction_id is below
-- pg_snapshot_xmin(pg_current_snapshot()): identity values are assigned at INSERT but become visible at
-- COMMIT, so paging by global_position alone skips events committed out of order (the xid8 horizon).
--
-- Appends go through 0004_append.sql; the one exception to immutability, erasure, is 0002_privacy.sql.

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

-- Finding everything about an order beyond its own stream (order-{key}): the webhooks normalized
-- into it and the alerts raised about it carry `orderKey` in their data.
create index events_order_key on events ((data->>'orderKey'))
  where data ? 'orderKey' and stream_id not like 'order-%';

-- Operator actions that cover many orders (SubjectErased lists every order it touched in
-- `orderKeys`) belong in each of those orders' log: this partial index finds them by containment
-- (data->'orderKeys' @> '["KEY"]') without scanning the log. Only such events are indexed, so the
-- index stays as small as the number of those actions.
create index events_order_keys on events using gin ((data->'orderKeys') jsonb_path_ops)
  where data ? 'orderKeys';

-- Webhooks that became no order: NormalizationFailed (no parser could read it) and WebhookRejected
-- (a signed body refused with 400). They are few next to the log, so a partial index over just
-- them lets `GET /api/v1/webhooks`, `s2s webhooks list` and the console's needs attention page through
-- them newest first without scanning the log, and costs the append of every other event nothing but
-- the predicate check. Queries repeat the predicate literally (not as parameters), so the planner can
-- use the index.
create index events_webhook_problems on events (global_position desc)
  where type in ('NormalizationFailed', 'WebhookRejected');

-- Immutability is enforced by the database, not by convention: statement triggers refuse every
-- UPDATE, DELETE and TRUNCATE (they fire for the owner too), and the app role holds neither the
-- privileges nor the ownership needed to drop or disable them. One guarded exception, GDPR erasure
-- (see 0002_privacy.sql): an UPDATE in a transaction that sets `s2s.erasure = 'on'` (set local) AND
-- runs as a member of s2s_eraser. DELETE and TRUNCATE stay refused for everyone.
create function s2s_refuse_event_change() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and coalesce(current_setting('s2s.erasure', true), '') = 'on'
     and pg_has_role(current_user, 's2s_eraser', 'member') then
    return null;
  end if;
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
