-- Webhooks that became no order: NormalizationFailed (no parser could read it) and WebhookRejected
-- (a signed body refused with 400). They are few next to the log, so a partial index over just
-- them lets `GET /api/v1/webhooks` and `s2s webhooks list` page through them newest first without
-- scanning the log, and costs the append of every other event nothing but the predicate check.
-- Queries repeat the predicate literally (not as parameters), so the planner can use the index.
create index events_webhook_problems on events (global_position desc)
  where type in ('NormalizationFailed', 'WebhookRejected');
