-- Wakes the workers when a job queue becomes free. A batch job runs in a queue named after its key
-- (src/rules/plan.ts), so one batch per key runs at a time and the items that arrive meanwhile collect
-- in the next job (0011_batch_jobs.sql). That next job is inserted while the queue is locked: the
-- NOTIFY of its insert finds nothing a worker may take. When the running batch completes,
-- graphile-worker unlocks the queue (complete_jobs, fail_jobs, return_jobs, reset of a dead worker's
-- locks) but announces nothing, so the waiting batch sat until some worker's next poll (1 s by
-- default, WORKER_POLL_INTERVAL_MS): a pause per batch, under load a queue of them.
--
-- This trigger sends graphile-worker's own wake-up (channel "jobs:insert", count 1) whenever a locked
-- queue is unlocked and still holds a job; the listening workers fetch at once. One NOTIFY per commit
-- at most (identical notifications of a transaction are folded into one), none for a queue left empty.
-- It sits on graphile-worker's private table (schema revision of 0.17.x): an upgrade of
-- graphile-worker must check that the table and the channel are unchanged (sql/README.md).
create function s2s_wake_on_queue_unlock() returns trigger
language plpgsql
set search_path = pg_catalog
as $$
begin
  if exists (select 1 from graphile_worker._private_jobs j where j.job_queue_id = new.id) then
    perform pg_notify('jobs:insert', '{"count":1}');
  end if;
  return null;
end
$$;

create trigger s2s_wake_on_queue_unlock
after update of locked_at on graphile_worker._private_job_queues
for each row
when (old.locked_at is not null and new.locked_at is null)
execute function s2s_wake_on_queue_unlock();
