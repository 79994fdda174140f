-- Projections: the read models folded from the event log by src/projections/, and their bookkeeping.
-- Everything here is derived and can be rebuilt from the log.
--
-- A projection's read model is kept per generation: the live generation serves reads while a rebuild
-- fills the next one from position zero; the swap is one UPDATE of active_generation, so readers see
-- either the old view or the new one, never a mix. Every read model's primary key starts with
-- `generation`.
create table projections (
  name text primary key,
  active_generation integer not null default 1,
  rebuilding_generation integer,
  updated_at timestamptz not null default now()
);

-- One checkpoint per (projection, generation), advanced by compare-and-set in the transaction that
-- writes the read model. ('0', 0) is "before the first event" (positions are (xid8, global_position),
-- see the horizon in 0001_event_store.sql).
create table projection_checkpoints (
  name text not null,
  generation integer not null,
  last_xid xid8 not null default '0'::xid8,
  last_position bigint not null default 0,
  events_applied bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (name, generation)
);

-- Stream summaries: one row per stream (type prefix, version, first/last event).
create table stream_summaries (
  generation integer not null,
  stream_id text collate "C" not null,
  category text not null,
  version bigint not null,
  event_count bigint not null,
  first_event_type text not null,
  last_event_type text not null,
  first_recorded_at timestamptz not null,
  last_recorded_at timestamptz not null,
  last_position bigint not null,
  primary key (generation, stream_id)
);
create index stream_summaries_category on stream_summaries (generation, category, last_recorded_at);

-- The conversions read model: one row per order (current status, identity, tracking, per-target
-- dispatch state), searchable by the columns below; `doc` holds the full view. The columns are
-- written by the projection (src/projections/conversionView.ts columnsOf).
--   tracking_state: 'none' (no click id, no utm), 'inconsistent' (utm_source names Google or Meta but
--     the matching click id is missing, so the ad platform cannot attribute the sale), 'ok'.
--   click_keys: the names of the identifiers the order carries with a value (gclid, gbraid, wbraid,
--     fbclid, fbc, fbp, then the affiliate click ids by parameter name, sorted), so coverage can tell
--     per partner whether its own click id arrived without reading the document.
--   consent: the order's ad_user_data consent (granted | denied), null when the shop said nothing.
create table conversions (
  generation integer not null,
  order_key text collate "C" not null,
  source_id text not null,
  company text,
  market text,
  partner text,
  status text not null,
  value_minor bigint,
  currency text,
  placed_at timestamptz,
  paid_at timestamptz,
  ignored_reason text,
  test boolean not null default false,
  has_click_id boolean not null default false,
  missing_tracking boolean not null default true,
  utm_campaign text,
  dispatch_state text not null,
  doc jsonb not null,
  first_recorded_at timestamptz not null,
  updated_at timestamptz not null,
  last_position bigint not null,
  tracking_state text not null default 'ok',
  click_keys text[] not null default '{}',
  consent text,
  primary key (generation, order_key)
);

create index conversions_company_time on conversions (generation, company, placed_at desc);
create index conversions_partner_time on conversions (generation, partner, placed_at desc);
create index conversions_status on conversions (generation, status, placed_at desc);
create index conversions_dispatch_state on conversions (generation, dispatch_state, placed_at desc);
create index conversions_missing on conversions (generation, placed_at desc) where missing_tracking;
create index conversions_tracking_state on conversions (generation, tracking_state, placed_at desc)
  where tracking_state <> 'ok';

-- What the console's order search, coverage and needs-attention pages ask of the conversions view,
-- answered from indexes so no page reads every order.
--
-- Search by e-mail without the address leaving the browser: the console sends the SHA-256 (hex) of
-- the address with ASCII whitespace trimmed and A-Z lower-cased, and this is the same digest of the
-- stored address. translate() instead of lower(): the result must not depend on the collation.
-- Immutable: convert_to() is only stable because a database's encoding could differ, and a
-- database's encoding never changes.
create function s2s_email_key(doc jsonb) returns text
language sql immutable parallel safe
as $$
  select encode(sha256(convert_to(
    translate(btrim(doc #>> '{order,order,customer,email}', E' \t\r\n'),
              'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
    'UTF8')), 'hex')
$$;

-- Every click id value of the order (Google's, Meta's and the affiliate ones), for search by click id.
create function s2s_click_ids(doc jsonb) returns text[]
language sql immutable parallel safe
as $$
  select coalesce(array_agg(v), '{}') from (
    select doc #>> array['order', 'order', 'tracking', k] as v
    from unnest(array['gclid', 'gbraid', 'wbraid', 'fbclid', 'fbc']) as k
    union all
    select value from jsonb_each_text(coalesce(doc #> '{order,order,tracking,clickIds}', '{}'))
  ) ids
  where coalesce(v, '') <> ''
$$;

create index conversions_email_key on conversions (generation, s2s_email_key(doc));
create index conversions_click_ids on conversions using gin (s2s_click_ids(doc));
-- Per-target dispatch state ({"targetId": ..., "status": ...} elements of doc.dispatch): the orders
-- search by target and the needs-attention lists (dead letters, rejections) match with @>.
create index conversions_dispatch on conversions using gin ((doc -> 'dispatch') jsonb_path_ops);
-- The order list without filters (newest first, keyset on placed_at, order_key), and coverage by the
-- day an order was paid (as the daily digest counts it).
create index conversions_time on conversions (generation, placed_at desc, order_key desc);
create index conversions_paid_day on conversions (generation, (coalesce(paid_at, placed_at)));

grant select, insert, update, delete on projections, projection_checkpoints, stream_summaries, conversions to s2s_app;

-- The dispatch facts read model (src/console/facts/): one row per dispatch (order, target, kind), its
-- state folded from the dispatch events with the dispatcher's own state machine (dispatch/state.ts),
-- plus what the platform answered and which identifiers went out. Narrow on purpose (coverage scans
-- the rows of a date range). The console reads it for needs attention (by state), coverage (eligible, delivered, acknowledged by the platform) and match quality (shares of
-- e-mail, phone, click id, IP and user agent per target), without reading any order's document.
-- Names of identifiers only, never their values; partners' messages are not kept (they can quote a
-- customer: the conversions view has them, and erasure blanks it). Kept per generation like every
-- read model.
create table dispatch_facts (
  generation integer not null,
  dispatch_key text collate "C" not null,
  order_key text collate "C" not null,
  target_id text not null,
  kind text not null,
  channel text not null,
  -- dispatch/state.ts DispatchStatus: planned, retrying, succeeded, failed, dead_lettered, skipped, ...
  status text not null,
  attempts integer not null,
  -- The failure reason of the last attempt (ServerError, Rejected, ...), while it is not delivered.
  last_reason text,
  -- Names of the identifiers in the last request: email, phone, address, external_id, click_id,
  -- browser_id, ip, user_agent.
  identifiers text[] not null default '{}',
  -- What the platform answered on the last attempt: "events_received=1" (Meta), "requestId=..."
  -- (Data Manager), "HTTP 200" (postback), "already recorded..."; null when it did not say.
  acknowledgement text,
  acknowledged boolean not null default false,
  last_attempt_at timestamptz,
  updated_at timestamptz not null,
  primary key (generation, dispatch_key)
);
create index dispatch_facts_order on dispatch_facts (generation, order_key);
create index dispatch_facts_status on dispatch_facts (generation, status, updated_at desc);
-- Coverage reads the dispatches of the orders paid in a range: none changed before the order was paid.
create index dispatch_facts_time on dispatch_facts (generation, updated_at);

grant select, insert, update, delete on dispatch_facts to s2s_app;
