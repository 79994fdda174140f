-- What the console's queue and needs-attention pages read without scanning the event log.

-- Normalization failures are rare among events: a partial index lists them newest first at once.
create index events_normalization_failed on events (global_position) where type = 'NormalizationFailed';

-- Workers as graphile-worker's own tables show them: a job (or job queue) is locked by the worker
-- that runs it, with the time it took it. graphile-worker's tables belong to the owner, so the app
-- role reads them through this function (src/console/queue/workers.ts is its only caller).
create function s2s_console_workers()
returns table (worker_id text, running bigint, first_locked_at timestamptz, last_locked_at timestamptz)
language sql
stable
security definer
set search_path = pg_catalog, public
as $$
  select locked_by, count(*), min(locked_at), max(locked_at)
  from graphile_worker._private_jobs
  where locked_by is not null
  group by locked_by
  order by max(locked_at) desc
$$;

revoke all on function s2s_console_workers() from public;
grant execute on function s2s_console_workers() to s2s_app;
