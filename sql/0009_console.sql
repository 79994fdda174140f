-- The web console (src/console/): log-in sessions and the key that signs its links. Its read
-- models are in 0005_projections.sql (dispatch_facts, the search indexes of conversions) and its view
-- of the workers in 0003_jobs.sql (s2s_console_workers).

-- One row per log-in. The session cookie holds a random secret; only its SHA-256 is kept. A session
-- is valid until expires_at, until it is logged out (ended_at), or until its token is revoked.
create table console_sessions (
  session_id text primary key,
  secret_sha256 bytea not null unique,
  token_id text not null references api_tokens (token_id),
  scope text not null check (scope in ('audit', 'operate', 'admin')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz
);
create index console_sessions_token on console_sessions (token_id);

grant select, insert, update on console_sessions to s2s_app;

-- The HMAC-SHA256 key of signed console links (Slack alerts) and of the CSRF tokens, generated once
-- per database so links survive restarts and verify in every process (API and worker alike).
-- S2S_CONSOLE_SECRET replaces it when set. gen_random_uuid() draws from pg_strong_random(): two of
-- them carry 244 random bits.
create table console_settings (
  id boolean primary key default true check (id),
  link_secret bytea not null
);
insert into console_settings (link_secret)
values (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

grant select on console_settings to s2s_app;
