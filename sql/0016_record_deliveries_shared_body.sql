-- Webhook deliveries without sending the raw body twice: a delivery may name its duplicate event as
-- a variant of the received one ("dt": its type, "dsv": its schema version, "dx": data keys it does
-- not carry) instead of spelling it out ("d", still accepted). The body is most of a delivery's
-- bytes, so a group-commit batch now carries each body once: half the bytes parsed per batch.
--
-- deliveries: [{"s": stream id, "r": received event {"id","t","sv","d","m"},
--               "d": duplicate event | "dt", "dsv", "dx": [keys], "j": job spec}]
--   (sorted by stream id by the caller, so concurrent batches lock streams in the same order)
-- returns: [true | false] per delivery, in the given order: true = first delivery, false = duplicate
create or replace function s2s_record_deliveries(deliveries jsonb) returns jsonb
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
      if d ? 'd' then
        ev := d->'d';
      else
        ev := jsonb_build_object(
          't', d->'dt',
          'sv', d->'dsv',
          'd', (d->'r'->'d') - coalesce(array(select jsonb_array_elements_text(d->'dx')), '{}'::text[]),
          'm', d->'r'->'m');
      end if;
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
