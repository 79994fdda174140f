-- A group commit's webhooks are one normalize batch, with no key: ingest no longer appends to shared
-- waiting jobs. Since batched normalization, every webhook was an item of one of 4 keyed waiting
-- jobs (normalize-batch:{shard}): each group commit locked those rows until it committed and
-- rewrote their payloads, so the commits in flight (INGEST_MAX_IN_FLIGHT, 2) waited for each other
-- and ingest at 32 clients fell from 1,227 to 367 webhooks/s (775 with the cap of 0014). Now
-- s2s_enqueue merges the array specs without a key of one task and the same settings (queue, run_at,
-- attempts, priority) within one call into one job: the deliveries of a group commit, which already
-- share one transaction and one call, share one batch job, and no row is shared between commits.
-- Batches are as large as the group commits (up to INGEST_MAX_BATCH, 200), large exactly when ingest
-- is busy; a webhook that arrives alone is a batch of one and runs at once. Keyed array specs
-- (dispatch batches, a normalize batch's remainder) merge into their waiting job as in 0011/0014.
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
        where json_typeof(s.payload) is distinct from 'array'
        union all
        -- Array specs without a key, of one task and the same settings: one job of every item of
        -- them in call order (a group commit's webhooks become one normalize batch).
        select f.identifier, g.payload, f.queue_name, f.run_at, f.max_attempts, null, f.priority, f.flags
        from (
          select min(s.n) as first_n, json_agg(e.value order by s.n, e.i) as payload
          from json_populate_recordset(null::graphile_worker.job_spec, specs)
                 with ordinality as s(identifier, payload, queue_name, run_at, max_attempts, job_key, priority, flags, n),
               lateral json_array_elements(s.payload) with ordinality as e(value, i)
          where s.job_key is null and json_typeof(s.payload) = 'array'
          group by s.identifier, s.queue_name, s.run_at, s.max_attempts, s.priority
        ) g
        join json_populate_recordset(null::graphile_worker.job_spec, specs)
               with ordinality as f(identifier, payload, queue_name, run_at, max_attempts, job_key, priority, flags, n)
          on f.n = g.first_n
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
