-- A waiting batch job stops growing at 256 items. Items are appended to the waiting job of their key
-- (0011_batch_jobs.sql) by rewriting its payload, under a lock on its row held until the enqueueing
-- transaction commits. Ingest appends every webhook to one of the 4 normalize-batch jobs
-- (src/jobs/normalizeJobs.ts): when nothing drains them (a worker down, an API-only process, a
-- backlog) each of its group commits rewrote payloads of thousands of items, more with every commit,
-- and ingest fell to a third of its rate at 32 clients (README, Benchmarks). Now a waiting batch of
-- 256 items or more has its key released as a running one's is: it keeps waiting in its queue with
-- its items, and the next items start a new job under the key (behind it in the same queue). A run
-- takes at most its *_BATCH_ITEMS (64 by default) anyway; 256 leaves room to raise those.
-- Everything else as in 0011.
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
    where j.key = any(batch_keys)
      and (j.locked_at is not null
           or (json_typeof(j.payload) = 'array' and json_array_length(j.payload) >= 256));
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
