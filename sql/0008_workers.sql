-- Workers register and heartbeat here, so that the jobs of one that died (kill -9, OOM kill, node
-- eviction) come back within seconds instead of graphile-worker's 4 hours. graphile-worker 0.17 locks
-- jobs by the id of the worker pool that took them (locked_by), and nothing else records which pools
-- exist; a pool that died without its graceful shutdown leaves its jobs locked until locked_at is 4 h
-- old. Every live worker sweeps: a pool silent longer than the configured limit is deleted here and
-- its jobs and queues are unlocked (graphile_worker.force_unlock_workers), in one transaction, so
-- only one sweeper releases a given pool. A released pool also loses its dispatch leases
-- (dispatch_leases.pool_id, 0007_pipeline_state.sql).
--
-- Clocks: heartbeat_at and the sweep's limit are both the database's now(), never a process clock.
create table workers (
  -- graphile-worker's pool id (`pool-<hex>`): what its jobs are locked_by.
  id text primary key,
  hostname text not null,
  pid integer not null,
  -- `serve`, `serve --worker-only`, `worker`: what the operator started.
  mode text not null,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  -- When the pool last took a job (null: not yet), as reported with the heartbeat.
  last_job_at timestamptz,
  -- Jobs running in the pool at the last heartbeat.
  running integer not null default 0
);

grant select, insert, update, delete on workers to s2s_app;

-- Releases the pools silent for longer than `silent_for`: deletes their rows, unlocks their jobs and
-- job queues, and drops their dispatch leases. Also releases pools that never registered (killed
-- before their first heartbeat) once every lock they hold is older than `silent_for`: a live pool
-- registers when it starts and beats more often than that. Returns each released pool with the jobs
-- it still held (host and pid unknown for an unregistered one). SECURITY DEFINER: graphile-worker's
-- tables belong to the owner. Rows are taken with SKIP LOCKED, so two sweepers never wait on each
-- other and each pool is released by exactly one of them.
create function s2s_release_silent_workers(silent_for interval)
returns table (worker_id text, worker_hostname text, worker_pid integer, silent_seconds float8, jobs bigint)
language plpgsql
security definer
set search_path = pg_catalog, public
as $$
declare
  released record;
begin
  for released in
    delete from workers w
    where w.id in (select d.id from workers d where d.heartbeat_at < now() - silent_for for update skip locked)
    returning w.id, w.hostname, w.pid, extract(epoch from now() - w.heartbeat_at)::float8 as silent
  loop
    worker_id := released.id;
    worker_hostname := released.hostname;
    worker_pid := released.pid;
    silent_seconds := released.silent;
    select count(*) into jobs from graphile_worker._private_jobs j where j.locked_by = released.id;
    perform graphile_worker.force_unlock_workers(array[released.id]);
    delete from dispatch_leases l where l.pool_id = released.id;
    return next;
  end loop;
  for released in
    select j.locked_by as id, extract(epoch from now() - max(j.locked_at))::float8 as silent, count(*) as held
    from graphile_worker._private_jobs j
    where j.locked_by is not null and not exists (select 1 from workers w where w.id = j.locked_by)
    group by j.locked_by
    having max(j.locked_at) < now() - silent_for
  loop
    worker_id := released.id;
    worker_hostname := null;
    worker_pid := null;
    silent_seconds := released.silent;
    jobs := released.held;
    perform graphile_worker.force_unlock_workers(array[released.id]);
    delete from dispatch_leases l where l.pool_id = released.id;
    return next;
  end loop;
end
$$;

revoke all on function s2s_release_silent_workers(interval) from public;
grant execute on function s2s_release_silent_workers(interval) to s2s_app;

-- Releases one pool known to be gone: its process saw it stop (a clean shutdown, or a pool that the
-- database took down and that is being replaced). Deletes its row, unlocks whatever it still held and
-- drops its dispatch leases; returns how many jobs that was.
create function s2s_release_worker(id text) returns bigint
language plpgsql
security definer
set search_path = pg_catalog, public
as $$
declare
  held bigint;
begin
  delete from workers w where w.id = s2s_release_worker.id;
  select count(*) into held from graphile_worker._private_jobs j where j.locked_by = s2s_release_worker.id;
  perform graphile_worker.force_unlock_workers(array[s2s_release_worker.id]);
  delete from dispatch_leases l where l.pool_id = s2s_release_worker.id;
  return held;
end
$$;

revoke all on function s2s_release_worker(text) from public;
grant execute on function s2s_release_worker(text) to s2s_app;
