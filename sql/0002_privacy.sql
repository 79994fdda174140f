-- GDPR erasure in an append-only log. The log stays append-only for everyone, with one guarded
-- exception (the trigger function in 0001_event_store.sql): a transaction that sets
-- `s2s.erasure = 'on'` (set local) AND runs as a role that is a member of s2s_eraser may UPDATE event
-- data (to blank personal data, never to change what happened). DELETE and TRUNCATE stay refused. The
-- app role is not a member; the migrating (owner) role is, and `s2s erase` uses it. Every erasure is
-- itself recorded as a SubjectErased event.
do $$
begin
  create role s2s_eraser nologin;
exception when duplicate_object or unique_violation then
  null;
end
$$;
grant s2s_eraser to current_user;

-- A per-database pepper for subject ids (HMAC of the normalized email): erasure records name the
-- subject without storing the email or a bare hash of it. Readable by the owner only.
create table privacy_settings (
  id boolean primary key default true check (id),
  pepper bytea not null default decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')
);
insert into privacy_settings default values;
revoke all on privacy_settings from public;
