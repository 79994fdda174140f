-- Bearer tokens for the admin API and generic ingest sources. Only the SHA-256 of a token is kept;
-- the token itself is printed once by `s2s tokens create`.
create table api_tokens (
  token_id text primary key,
  token_sha256 bytea not null unique,
  scope text not null check (scope in ('audit', 'operate', 'admin', 'ingest')),
  source_id text,
  label text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  check ((scope = 'ingest') = (source_id is not null))
);

grant select, insert, update on api_tokens to s2s_app;
