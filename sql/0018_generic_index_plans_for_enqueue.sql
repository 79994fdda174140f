-- add_jobs without planning on every call. 0017 forced custom plans so that add_jobs never keeps a
-- plan made while the jobs table was small (a sequential scan of every queued job on each call once
-- it has grown). But a custom plan is a fresh plan of add_jobs' four statements on every call:
-- ~0.2 ms of planning per enqueue, paid once per group-commit batch and once per worker append, and
-- the largest single cost of a small batch (measured with psql on PostgreSQL 15: 0.45 ms per call
-- with custom plans, 0.23 ms with generic ones).
--
-- Now add_jobs is planned once per connection (generic plans) and the planner is told to avoid
-- sequential scans while it plans (enable_seqscan = off makes them a last resort, not forbidden):
-- every lookup add_jobs makes has a unique index (job key, task identifier, queue name), so the
-- cached plans use those indexes however small the tables were when they were made. The settings
-- apply to everything s2s_enqueue calls, and only while it runs; test/db/enqueue.int.test.ts reads
-- the plan add_jobs runs after its tables have grown.
--
-- s2s_enqueue becomes plpgsql so that its own statement is planned once per connection too (a
-- language sql function that cannot be inlined is planned on every call before PostgreSQL 18).
create or replace function s2s_enqueue(specs json) returns void
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
