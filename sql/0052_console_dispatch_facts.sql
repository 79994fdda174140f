-- The dispatch facts read model (src/console/facts/): one row per dispatch (order, target, kind), its
-- state folded from the dispatch events with the dispatcher's own state machine (dispatch/state.ts),
-- plus what the platform answered and which identifiers went out. Narrow on purpose (coverage scans
-- the rows of a date range). The console reads it for needs attention (by
-- state), coverage (eligible, delivered, acknowledged by the platform) and match quality (shares of
-- e-mail, phone, click id, IP and user agent per target), without reading any order's document.
-- Names of identifiers only, never their values; partners' messages are not kept (they can quote a
-- customer: the conversions view has them, and erasure blanks it). Kept per generation like every
-- read model (see 0002_projections.sql).
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
