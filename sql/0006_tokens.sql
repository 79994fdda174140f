-- Bearer tokens for the admin API, the console log-in and generic ingest sources. Only the SHA-256 of
-- a token is kept; the token itself is printed once by `s2s tokens create`.
--
-- last_used_at is written at most about once a minute per token and process (not per request), so
-- `s2s tokens list` can say which tokens are still in use.
create table api_tokens (
  token_id text primary key,
  token_sha256 bytea not null unique,
  scope text not null check (scope in ('audit', 'operate', 'admin', 'ingest')),
  source_id text,
  label text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz,
  check ((scope = 'ingest') = (source_id is not null))
);

grant select, insert, update on api_tokens to s2s_app;

-- Token revocation reaches every process at once: revoking a token (by `s2s tokens revoke`, the API
-- or plain SQL) notifies channel s2s_token_revoked in the revoking transaction, delivered at its
-- commit; each process LISTENs and drops its cache of verified tokens (src/tokens/revocations.ts).
-- Deleting a token row notifies the same way.
create function s2s_notify_token_revoked() returns trigger
language plpgsql as $$
begin
  perform pg_notify('s2s_token_revoked', case when tg_op = 'DELETE' then old.token_id else new.token_id end);
  return null;
end
$$;

create trigger api_tokens_revoked
  after update of revoked_at on api_tokens
  for each row when (new.revoked_at is not null and old.revoked_at is null)
  execute function s2s_notify_token_revoked();

create trigger api_tokens_deleted
  after delete on api_tokens
  for each row execute function s2s_notify_token_revoked();
