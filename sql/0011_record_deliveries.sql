-- Webhook deliveries as one statement per group-commit batch: for each delivery, the first of its
-- webhook creates the stream with WebhookReceived and gets its normalization job; a redelivery (the
-- stream exists, created earlier or earlier in this batch) appends WebhookDuplicateReceived and no
-- job. All jobs go in with one add_jobs call. One round trip per batch instead of five.
--
-- deliveries: [{"s": stream id, "r": received event {"id","t","d","m"}, "d": duplicate event, "j": job spec}]
--   (sorted by stream id by the caller, so concurrent batches lock streams in the same order)
-- returns: [true | false] per delivery, in the given order: true = first delivery, false = duplicate
create function s2s_record_deliveries(deliveries jsonb) returns jsonb
language plpgsql as $$
declare
  d jsonb;
  v bigint;
  ev jsonb;
  outcome jsonb := '[]'::jsonb;
  jobs jsonb := '[]'::jsonb;
begin
  for d in select value from jsonb_array_elements(deliveries) loop
    insert into event_streams (stream_id, version) values (d->>'s', 1)
    on conflict (stream_id) do nothing
    returning version into v;
    if v is not null then
      ev := d->'r';
      jobs := jobs || jsonb_build_array(d->'j');
      outcome := outcome || 'true'::jsonb;
    else
      update event_streams set version = version + 1, updated_at = now() where stream_id = d->>'s'
      returning version into v;
      ev := d->'d';
      outcome := outcome || 'false'::jsonb;
    end if;
    insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
    values (d->>'s', v, coalesce((ev->>'id')::uuid, gen_random_uuid()), ev->>'t', coalesce((ev->>'sv')::int, 1),
            ev->'d', coalesce(ev->'m', '{}'::jsonb));
  end loop;
  if jsonb_array_length(jobs) > 0 then
    perform s2s_enqueue(jobs::json);
  end if;
  return outcome;
end
$$;

grant execute on function s2s_record_deliveries(jsonb) to s2s_app;
