-- Items added to a key while another transaction creates that key's job were lost. Two transactions
-- add to a key that has no job yet: the first inserts the job; the second, not seeing it, inserts too
-- and waits on the key's unique index. Should a worker take the new job the moment the first commits,
-- graphile-worker's add_jobs (INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE jobs.locked_at IS NULL)
-- then finds the job locked: it neither merges the second's items nor inserts them, and says nothing.
-- Batched normalization runs many batches at once, each adding to the same dispatch-batch keys: 2 of
-- 31 planned dispatches of test/normalize/batch.int.test.ts vanished this way in a CI run (their
-- DispatchPlanned recorded, no job left). test/jobs/batchJobs.int.test.ts replays the interleaving.
--
-- Now s2s_enqueue first takes a transaction-scoped advisory lock per job key of its specs (every key,
-- batch or single job: a single keyed job lost its replacement the same way), in key order. An
-- enqueue for a key waits for any other one in flight to commit and then sees its job: locked, it is
-- given up by its key (0011; add_jobs supersedes a single job) and a new job is inserted; waiting, it
-- is row-locked (now single jobs' too) and merged into or replaced, and no worker can take it until
-- this commits (graphile-worker's fetch skips locked rows). Enqueues of
-- one key already waited for each other on the job's row; they now also do while the job is new.
-- The lock's key is hashtextextended('s2s_enqueue:' || job_key, 0) (one bigint: apart from the
-- two-int locks of the projections); a collision only makes two keys' enqueues wait for each other.
-- Everything else as in 0015.
create or replace function s2s_enqueue(specs json) returns void
language plpgsql
security definer
set search_path = pg_catalog, public
set plan_cache_mode = force_generic_plan
set enable_seqscan = off
as $$
declare
  batch_keys text[];
  job_keys text[];
  k text;
begin
  select array_agg(distinct s.job_key order by s.job_key),
         array_agg(distinct s.job_key order by s.job_key) filter (where json_typeof(s.payload) = 'array')
    into job_keys, batch_keys
  from json_populate_recordset(null::graphile_worker.job_spec, specs) s
  where s.job_key is not null;
  if job_keys is not null then
    foreach k in array job_keys loop
      perform pg_advisory_xact_lock(hashtextextended('s2s_enqueue:' || k, 0));
    end loop;
    -- The keys' jobs, locked until this commits: no worker takes one between here and add_jobs.
    perform 1 from graphile_worker._private_jobs j where j.key = any(job_keys) order by j.key for update;
  end if;
  if batch_keys is not null then
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
