-- The glue between the event log and graphile-worker (whose own schema, graphile_worker, its
-- migrations create before these files run). graphile-worker's tables and functions belong to the
-- owner, so the app role reaches them only through the SECURITY DEFINER functions below, each with a
-- fixed search_path: enqueueing (s2s_enqueue) and reading the queue (s2s_job_counts,
-- s2s_console_workers). The worker registry that releases dead pools is 0008_workers.sql.

-- Jobs are enqueued in the transaction that appends the event causing them. graphile_worker.add_jobs
-- needs the schema owner's rights, so the app role calls it through this wrapper: one call (and one
-- NOTIFY) per transaction, whatever the number of jobs.
--
-- Plan settings. add_jobs with job keys first runs `update _private_jobs ... where jobs.key =
-- spec.job_key`. A plpgsql plan is cached per connection, and under the default plan_cache_mode the
-- planner settles on a generic plan after five calls; on a jobs table that was empty or small at that
-- moment (a new database, a queue the workers had drained) that plan is a sequential scan of the whole
-- table, kept until an ANALYZE happens to invalidate it. While the queue grows (a burst, a worker
-- outage), every enqueue then reads every queued job: measured on PostgreSQL 18 with pgbench, batches
-- of 8 deliveries from an empty table, 2,941 sequential scans reading 34M rows in 4 s, 735 batches/s.
-- Forcing custom plans fixed that (234 scans of small tables, 1,020-1,080 batches/s), but a custom
-- plan is a fresh plan of add_jobs' four statements on every call: ~0.2 ms of planning per enqueue,
-- paid once per group-commit batch and once per worker append, and the largest single cost of a small
-- batch (measured with psql on PostgreSQL 15: 0.45 ms per call with custom plans, 0.23 ms with generic
-- ones).
--
-- So add_jobs is planned once per connection (generic plans) and the planner is told to avoid
-- sequential scans while it plans (enable_seqscan = off makes them a last resort, not forbidden):
-- every lookup add_jobs makes has a unique index (job key, task identifier, queue name), so the
-- cached plans use those indexes however small the tables were when they were made. The settings
-- apply to everything s2s_enqueue calls, and only while it runs; test/db/enqueue.int.test.ts reads
-- the plan add_jobs runs after its tables have grown.
--
-- s2s_enqueue is plpgsql so that its own statement is planned once per connection too (a language sql
-- function that cannot be inlined is planned on every call before PostgreSQL 18).
create function s2s_enqueue(specs json) returns void
language plpgsql
security definer
set search_path = pg_catalog, public
set plan_cache_mode = force_generic_plan
set enable_seqscan = off
as $$
begin
  perform count(*) from graphile_worker.add_jobs(
    array(
      select row(s.identifier, s.payload, s.queue_name, s.run_at, s.max_attempts, s.job_key, s.priority, s.flags)::graphile_worker.job_spec
      from json_populate_recordset(null::graphile_worker.job_spec, specs) s
    )
  );
end
$$;

revoke all on function s2s_enqueue(json) from public;
grant execute on function s2s_enqueue(json) to s2s_app;

-- Queue figures for /metrics, read at scrape time by whichever process serves it (the web process
-- runs no jobs; the worker's own counters live in another process): one row per task identifier ever
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

-- Workers as graphile-worker's own tables show them, for the console's queue page: a job (or job
-- queue) is locked by the worker that runs it, with the time it took it (src/console/queue/workers.ts
-- is its only caller).
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
