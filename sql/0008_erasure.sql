-- GDPR erasure in an append-only log. The log stays append-only for everyone, with one guarded
-- exception: a transaction that sets `s2s.erasure = 'on'` (set local) AND runs as a role that is a
-- member of s2s_eraser may UPDATE event data (to blank personal data, never to change what
-- happened). DELETE and TRUNCATE stay refused. The app role is not a member; the migrating (owner)
-- role is, and `s2s erase` uses it. Every erasure is itself recorded as a SubjectErased event.
do $$
begin
  create role s2s_eraser nologin;
exception when duplicate_object or unique_violation then
  null;
end
$$;
grant s2s_eraser to current_user;

create or replace function s2s_refuse_event_change() returns trigger
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

-- A per-database pepper for subject ids (HMAC of the normalized email): erasure records name the
-- subject without storing the email or a bare hash of it. Readable by the owner only.
create table privacy_settings (
  id boolean primary key default true check (id),
  pepper bytea not null default decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')
);
insert into privacy_settings default values;
revoke all on privacy_settings from public;
