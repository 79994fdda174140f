-- graphile_worker.add_jobs (plpgsql) re-plans its statements on every call under the default
-- plan_cache_mode: with an array parameter the planner keeps choosing custom plans, which costs
-- ~0.15-0.4 ms per call, a large share of a group-commit batch (measured with pgbench: one add_jobs
-- call 0.65 -> 0.50 ms, a batch of 8 deliveries 1.4-1.65 -> 1.2-1.27 ms). The generic plans are the
-- same index lookups for any batch size, so our entry points (enqueue, deliveries, append) run with
-- them; the setting applies to everything these functions call, and only while they run.
alter function s2s_enqueue(json) set plan_cache_mode = force_generic_plan;
alter function s2s_record_deliveries(jsonb) set plan_cache_mode = force_generic_plan;
alter function s2s_append(jsonb, json) set plan_cache_mode = force_generic_plan;
