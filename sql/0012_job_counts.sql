-- Queue figures for /metrics, read at scrape time by whichever process serves it (the web process
-- runs no jobs; the worker's own counters live in another process). graphile-worker's tables belong
-- to the owner, so the app role reads them through this function: one row per task identifier ever
-- registered (zeros included, so a drained queue shows 0 rather than no series).
--   queued:    ready to run now           scheduled: waiting for run_at (delayed jobs, retry backoff)
--   running:   locked by a worker         failed:    out of attempts, kept for inspection
create function s2s_job_counts()
returns table (task text, queued bigint, scheduled bigint, running bigint, failed bigint, oldest_queued_seconds float8)
language sql
stable
security definer
set search_path = pg_catalog, public
as $$
  select t.identifier,
         count(j.id) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()),
         count(j.id) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()),
         count(j.id) filter (where j.locked_at is not null),
         count(j.id) filter (where j.locked_at is null and j.attempts >= j.max_attempts),
         coalesce(extract(epoch from now() - min(j.run_at) filter (
           where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now())), 0)::float8
  from graphile_worker._private_tasks t
  left join graphile_worker._private_jobs j on j.task_id = t.id
  group by t.identifier
$$;

revoke all on function s2s_job_counts() from public;
grant execute on function s2s_job_counts() to s2s_app;
