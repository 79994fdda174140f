-- The dispatch facts read model (src/console/facts/): one row per (order, target) conversion
-- dispatch that made a request, with what the platform answered and which identifiers went out,
-- for the console's coverage (acknowledged by the platform) and match quality (shares of e-mail,
-- phone, click id, IP and user agent per target). Names of identifiers only, never their values.
-- Kept per generation like every read model (see 0002_projections.sql).
create table dispatch_facts (
  generation integer not null,
  dispatch_key text collate "C" not null,
  order_key text collate "C" not null,
  target_id text not null,
  channel text not null,
  attempts integer not null,
  -- Names of the identifiers in the last request: email, phone, address, external_id, click_id,
  -- browser_id, ip, user_agent.
  identifiers text[] not null default '{}',
  -- What the platform answered on the last attempt: "events_received=1" (Meta), "requestId=..."
  -- (Data Manager), "HTTP 200" (postback), "already recorded"; null when it did not say.
  acknowledgement text,
  succeeded_at timestamptz,
  acknowledged boolean not null default false,
  last_attempt_at timestamptz not null,
  primary key (generation, dispatch_key)
);
create index dispatch_facts_order on dispatch_facts (generation, order_key);

grant select, insert, update, delete on dispatch_facts to s2s_app;
