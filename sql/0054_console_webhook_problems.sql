-- Needs attention now lists webhooks that became no order through the webhook listing's query
-- (src/webhooks/list.ts), answered by events_webhook_problems (0030), which also covers refused
-- bodies. The console's own partial index over NormalizationFailed (0053) has no reader left; every
-- append would keep checking its predicate for nothing.
drop index if exists events_normalization_failed;
