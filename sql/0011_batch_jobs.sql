-- Batch jobs (src/dispatch/DispatchBatchJob.ts). A job whose payload is a JSON array and that has a
-- job key collects items: graphile_worker.add_jobs concatenates a later array into it while it waits
-- (`on conflict (key) do update ... jobs.payload::jsonb || excluded.payload::jsonb`), so a batch is
-- whatever accumulated while the previous one ran, and a lone item runs at once.
--
-- Two things add_jobs does not do for batches, done here before it is called:
--
-- 1. One call must not carry two specs with the same key (ON CONFLICT cannot affect a row twice):
--    array specs of one key are merged into one spec, their items concatenated in call order. Specs
--    are passed in key order, so two transactions that add to the same keys wait for each other in
--    the same order (no deadlock).
--
-- 2. A job that is running (locked) when items are added for its key: add_jobs clears its key and
--    sets its attempts to max_attempts ("superseded": the new job replaces it). For a batch the new
--    job holds other items, so the running one must keep its retries: were its worker killed, or an
--    item of it failed, its items would be left failed for good. So the key of a locked batch job is
--    cleared here first, attempts untouched, and add_jobs creates a new job for the key. The rows of
--    the keys are locked first (in key order), so no worker takes one between this and add_jobs; a
--    worker's fetch skips locked rows and is woken by add_jobs' NOTIFY at commit.
--
-- Everything else (non-array payloads, specs without a key) goes to add_jobs as before, with the
-- plan settings of 0003_jobs.sql.
create or replace function s2s_enqueue(specs json) returns void
language plpgsql
security definer
set search_path = pg_catalog, public
set plan_cache_mode = force_generic_plan
set enable_seqscan = off
as $$
declare
  batch_keys text[];
begin
  select array_agg(distinct s.job_key order by s.job_key) into batch_keys
  from json_populate_recordset(null::graphile_worker.job_spec, specs) s
  where s.job_key is not null and json_typeof(s.payload) = 'array';
  if batch_keys is not null then
    perform 1 from graphile_worker._private_jobs j where j.key = any(batch_keys) order by j.key for update;
    update graphile_worker._private_jobs j
    set key = null, updated_at = now()
    where j.key = any(batch_keys) and j.locked_at is not null;
  end if;
  perform count(*) from graphile_worker.add_jobs(
    array(
      select row(m.identifier, m.payload, m.queue_name, m.run_at, m.max_attempts, m.job_key, m.priority, m.flags)::graphile_worker.job_spec
      from (
        select s.identifier, s.payload, s.queue_name, s.run_at, s.max_attempts, s.job_key, s.priority, s.flags
        from json_populate_recordset(null::graphile_worker.job_spec, specs) s
        where s.job_key is null or json_typeof(s.payload) is distinct from 'array'
        union all
        -- Array specs of one key: the first one's fields, every item of them in call order.
        select f.identifier, g.payload, f.queue_name, f.run_at, f.max_attempts, f.job_key, f.priority, f.flags
        from (
          select s.job_key, min(s.n) as first_n, json_agg(e.value order by s.n, e.i) as payload
          from json_populate_recordset(null::graphile_worker.job_spec, specs)
                 with ordinality as s(identifier, payload, queue_name, run_at, max_attempts, job_key, priority, flags, n),
               lateral json_array_elements(s.payload) with ordinality as e(value, i)
          where s.job_key is not null and json_typeof(s.payload) = 'array'
          group by s.job_key
        ) g
        join json_populate_recordset(null::graphile_worker.job_spec, specs)
               with ordinality as f(identifier, payload, queue_name, run_at, max_attempts, job_key, priority, flags, n)
          on f.n = g.first_n
      ) m
      order by m.job_key nulls last
    )
  );
end
$$;

revoke all on function s2s_enqueue(json) from public;
grant execute on function s2s_enqueue(json) to s2s_app;
