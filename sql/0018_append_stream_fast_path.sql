-- s2s_append_stream (0010), cheaper on the paths every webhook and every job takes, same results.
-- Since 0010 it is the only insert into `events`, and ingest's group commit calls it once per
-- delivery: a 32-webhook batch makes 32 calls. Each call collected the events' ids with a
-- subquery first, though only a retry or a conflict needs them, and inserted through a CTE over
-- jsonb_array_elements with array_agg, though most appends hold one event. Against 1d67f0f's
-- dedicated insert the database's CPU per accepted webhook went from 0.16-0.17 to 0.20-0.22 ms
-- (`npm run bench -- ingest`). Now the ids are read only on the "any" path and after a conflict,
-- and a single event is inserted with one VALUES row.
--
-- The contract is 0010's, unchanged: null for no events; {"s", "v", "p"} when appended;
-- {"s", "v": -1, "p": []} for a retry whose event ids are all stored in this stream;
-- {"s", "conflict": actual version} when the stream is not at the expected version; S2C02 when
-- the ids are stored elsewhere or only some of them are.
create or replace function s2s_append_stream(sid text, expected text, evs jsonb) returns jsonb
language plpgsql as $$
declare
  n bigint := jsonb_array_length(evs);
  ids uuid[];
  v bigint;
  first bigint;
  positions bigint[];
  e jsonb;
  position bigint;
begin
  if n = 0 then
    return null;
  end if;
  if expected = 'any' then
    ids := array(select (x->>'id')::uuid from jsonb_array_elements(evs) x where x ? 'id');
    if cardinality(ids) > 0 then
      perform 1 from event_streams where stream_id = sid for update;
      if (select count(*) from events where event_id = any(ids) and stream_id = sid) = n then
        return jsonb_build_object('s', sid, 'v', -1, 'p', '[]'::jsonb);
      end if;
      if exists (select 1 from events where event_id = any(ids)) then
        raise exception 'event ids of an append to stream % are stored already, but not as exactly these events of this stream', sid
          using errcode = 'S2C02';
      end if;
    end if;
    insert into event_streams as es (stream_id, version) values (sid, n)
    on conflict (stream_id) do update set version = es.version + excluded.version, updated_at = now()
    returning es.version into v;
    first := v - n + 1;
  elsif expected = 'no_stream' or expected = '0' then
    insert into event_streams (stream_id, version) values (sid, n)
    on conflict (stream_id) do nothing
    returning version into v;
    first := 1;
  else
    update event_streams set version = expected::bigint + n, updated_at = now()
    where stream_id = sid and version = expected::bigint
    returning version into v;
    first := expected::bigint + 1;
  end if;
  if v is null then
    ids := array(select (x->>'id')::uuid from jsonb_array_elements(evs) x where x ? 'id');
    if cardinality(ids) = n then
      if (select count(*) from events where event_id = any(ids) and stream_id = sid) = n then
        return jsonb_build_object('s', sid, 'v', -1, 'p', '[]'::jsonb);
      end if;
    end if;
    return jsonb_build_object('s', sid,
      'conflict', coalesce((select version from event_streams where stream_id = sid), 0));
  end if;
  if n = 1 then
    e := evs->0;
    insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
    values (sid, first, coalesce((e->>'id')::uuid, gen_random_uuid()), e->>'t',
            coalesce((e->>'sv')::int, 1), e->'d', coalesce(e->'m', '{}'::jsonb))
    returning global_position into position;
    return jsonb_build_object('s', sid, 'v', v, 'p', jsonb_build_array(position));
  end if;
  with inserted as (
    insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
    select sid, first + x.ord - 1, coalesce((x.e->>'id')::uuid, gen_random_uuid()), x.e->>'t',
           coalesce((x.e->>'sv')::int, 1), x.e->'d', coalesce(x.e->'m', '{}'::jsonb)
    from jsonb_array_elements(evs) with ordinality as x(e, ord)
    order by x.ord
    returning global_position
  )
  select array_agg(global_position order by global_position) into positions from inserted;
  return jsonb_build_object('s', sid, 'v', v, 'p', to_jsonb(positions));
end
$$;
