-- The append path of jobs and commands as one server-side function: optimistic concurrency per
-- stream, the events, and the jobs (one add_jobs call), in a single statement, so an append costs
-- one round trip instead of BEGIN + three statements + COMMIT. A conflict raises S2C01 and the whole
-- statement (every stream, every job) is rolled back; an append whose event ids are all stored
-- already was a retry of a committed append and is skipped. Streams are locked in the order given
-- (the caller sorts them), so concurrent multi-stream appends cannot deadlock.
--
-- appends: [{"s": stream id, "e": expected version ("any" | "no_stream" | "<n>"), "ev": [{"id", "t", "sv", "d", "m"}]}]
-- returns: [{"s": stream id, "v": new version (-1 when skipped as already appended), "p": [global positions]}]
create function s2s_append(appends jsonb, jobs json) returns jsonb
language plpgsql as $$
declare
  a jsonb;
  sid text;
  expected text;
  n bigint;
  v bigint;
  first bigint;
  positions bigint[];
  result jsonb := '[]'::jsonb;
begin
  for a in select value from jsonb_array_elements(appends) loop
    sid := a->>'s';
    expected := a->>'e';
    n := jsonb_array_length(a->'ev');
    continue when n = 0;
    v := null;
    if expected = 'any' then
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
      if (select count(*) from events
          where event_id = any(array(select (e->>'id')::uuid from jsonb_array_elements(a->'ev') e where e ? 'id'))) = n then
        result := result || jsonb_build_array(jsonb_build_object('s', sid, 'v', -1, 'p', '[]'::jsonb));
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
  end loop;
  if jobs is not null and json_array_length(jobs) > 0 then
    perform s2s_enqueue(jobs);
  end if;
  return result;
end
$$;

grant execute on function s2s_append(jsonb, json) to s2s_app;
