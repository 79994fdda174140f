-- The queue's figures count work items, not jobs. A batch job (0011_batch_jobs.sql) carries an array
-- of items, up to hundreds of dispatches: counted as one job, a backlog of 10,000 dispatches showed as
-- a few dozen queued jobs on /metrics, the console's queue page, readiness and KEDA's scaler
-- (deploy/kubernetes/keda.yaml), which then scaled on the wrong figure. Each job now counts as the
-- length of its array payload (an empty array as none), any other job as one; the oldest waiting time
-- is still the oldest job's. Same columns and callers as before.
create or replace function s2s_job_counts()
returns table (task text, queued bigint, scheduled bigint, running bigint, failed bigint, oldest_queued_seconds float8)
language sql
stable
security definer
set search_path = pg_catalog, public
as $$
  select t.identifier,
         coalesce(sum(j.items) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()), 0)::bigint,
         coalesce(sum(j.items) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()), 0)::bigint,
         coalesce(sum(j.items) filter (where j.locked_at is not null), 0)::bigint,
         coalesce(sum(j.items) filter (where j.locked_at is null and j.attempts >= j.max_attempts), 0)::bigint,
         coalesce(extract(epoch from now() - min(j.run_at) filter (
           where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now())), 0)::float8
  from graphile_worker._private_tasks t
  left join (
    select j.task_id, j.locked_at, j.attempts, j.max_attempts, j.run_at,
           case when json_typeof(j.payload) = 'array' then json_array_length(j.payload) else 1 end as items
    from graphile_worker._private_jobs j
  ) j on j.task_id = t.id
  group by t.identifier
$$;
