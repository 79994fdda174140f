-- s2s_append (0009), made idempotent in every case:
--  * a retry is recognised by its event ids being stored in that same stream (0009 counted them
--    anywhere in the log, so ids of another stream could make a conflict look like a retry);
--  * expectedVersion "any" recognises a retry too (0009 appended again and failed on the unique
--    event_id with an untyped error). The stream row is locked first, so a concurrent identical
--    append is waited for and then found; ids stored elsewhere, or only some of them, are an error
--    of their own (S2C02): the caller reused ids for different events, which no retry can repair;
--  * the jobs of a call in which every stream was skipped as already appended are not enqueued
--    again: they were committed with the events (and may have run and been deleted since, or hold a
--    job_key that add_jobs would reset). A call with some new events enqueues its jobs.
-- Everything else is as in 0009: one statement, streams locked in the given order, S2C01 on conflict.
create or replace function s2s_append(appends jsonb, jobs json) returns jsonb
language plpgsql as $$
declare
  a jsonb;
  sid text;
  expected text;
  n bigint;
  v bigint;
  first bigint;
  ids uuid[];
  positions bigint[];
  appended integer := 0;
  skipped integer := 0;
  result jsonb := '[]'::jsonb;
begin
  for a in select value from jsonb_array_elements(appends) loop
    sid := a->>'s';
    expected := a->>'e';
    n := jsonb_array_length(a->'ev');
    continue when n = 0;
    ids := array(select (e->>'id')::uuid from jsonb_array_elements(a->'ev') e where e ? 'id');
    v := null;
    if expected = 'any' then
      if cardinality(ids) > 0 then
        perform 1 from event_streams where stream_id = sid for update;
        if (select count(*) from events where event_id = any(ids) and stream_id = sid) = n then
          result := result || jsonb_build_array(jsonb_build_object('s', sid, 'v', -1, 'p', '[]'::jsonb));
          skipped := skipped + 1;
          continue;
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
      if cardinality(ids) = n and (select count(*) from events where event_id = any(ids) and stream_id = sid) = n then
        result := result || jsonb_build_array(jsonb_build_object('s', sid, 'v', -1, 'p', '[]'::jsonb));
        skipped := skipped + 1;
        continue;
      end if;
      raise exception 'stream % is not at the expected version %', sid, expected
        using errcode = 'S2C01',
              detail = json_build_object('stream', sid, 'expected', expected,
                'actual', coalesce((select version from event_streams where stream_id = sid), 0))::text;
    end if;
    with inserted as (
      insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
      select sid, first + x.ord - 1, coalesce((x.e->>'id')::uuid, gen_random_uuid()), x.e->>'t',
             coalesce((x.e->>'sv')::int, 1), x.e->'d', coalesce(x.e->'m', '{}'::jsonb)
      from jsonb_array_elements(a->'ev') with ordinality as x(e, ord)
      order by x.ord
      returning global_position
    )
    select array_agg(global_position order by global_position) into positions from inserted;
    result := result || jsonb_build_array(jsonb_build_object('s', sid, 'v', v, 'p', to_jsonb(positions)));
    appended := appended + 1;
  end loop;
  if jobs is not null and json_array_length(jobs) > 0 and (appended > 0 or skipped = 0) then
    perform s2s_enqueue(jobs);
  end if;
  return result;
end
$$;
