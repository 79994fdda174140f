-- One append path. s2s_append_stream appends events to one stream and is the only code in the
-- database or the service that inserts into events: s2s_append (commands and jobs, 0004_append.sql)
-- and s2s_record_deliveries (ingest's group commit, 0004_append.sql) now call it, and so does the
-- store's appendStreams (src/events/append.ts). Before, the group commit and a TypeScript statement
-- builder each had an insert of their own, and they had drifted: s2s_append's idempotency rules
-- (below) were in neither.
--
-- s2s_append_stream(stream id, expected version ("any" | "no_stream" | "<n>"), [{"id","t","sv","d","m"}])
-- returns: null for no events;
--          {"s", "v": new version, "p": [global positions]} when appended;
--          {"s", "v": -1, "p": []} when every event id is stored in this stream already (a retry);
--          {"s", "conflict": actual version} when the stream is not at the expected version.
-- Idempotency (as s2s_append had it): a retry is recognised by its event ids being stored in that
-- same stream; with "any" the stream row is locked first, so a concurrent identical append is waited
-- for and then found; ids stored elsewhere, or only some of them, raise S2C02.
create function s2s_append_stream(sid text, expected text, evs jsonb) returns jsonb
language plpgsql as $$
declare
  n bigint := jsonb_array_length(evs);
  ids uuid[];
  v bigint;
  first bigint;
  positions bigint[];
begin
  if n = 0 then
    return null;
  end if;
  ids := array(select (e->>'id')::uuid from jsonb_array_elements(evs) e where e ? 'id');
  if expected = 'any' then
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
    if cardinality(ids) = n then
      if (select count(*) from events where event_id = any(ids) and stream_id = sid) = n then
        return jsonb_build_object('s', sid, 'v', -1, 'p', '[]'::jsonb);
      end if;
    end if;
    return jsonb_build_object('s', sid,
      'conflict', coalesce((select version from event_streams where stream_id = sid), 0));
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

-- As 0004: one statement, streams locked in the given order, S2C01 on conflict (everything rolled
-- back), jobs enqueued unless every stream was skipped as already appended.
create or replace function s2s_append(appends jsonb, jobs json) returns jsonb
language plpgsql as $$
declare
  a jsonb;
  r jsonb;
  appended integer := 0;
  skipped integer := 0;
  result jsonb := '[]'::jsonb;
begin
  for a in select value from jsonb_array_elements(appends) loop
    r := s2s_append_stream(a->>'s', a->>'e', a->'ev');
    continue when r is null;
    if r ? 'conflict' then
      raise exception 'stream % is not at the expected version %', a->>'s', a->>'e'
        using errcode = 'S2C01',
              detail = json_build_object('stream', a->>'s', 'expected', a->>'e', 'actual', r->'conflict')::text;
    end if;
    if (r->>'v')::bigint = -1 then
      skipped := skipped + 1;
    else
      appended := appended + 1;
    end if;
    result := result || jsonb_build_array(r);
  end loop;
  if jobs is not null and json_array_length(jobs) > 0 and (appended > 0 or skipped = 0) then
    perform s2s_enqueue(jobs);
  end if;
  return result;
end
$$;

-- As 0004 (same payload, same outcomes): the first delivery of a webhook creates its stream
-- ("no_stream") and gets its job; a redelivery appends its duplicate event ("any").
create or replace function s2s_record_deliveries(deliveries jsonb) returns jsonb
language plpgsql as $$
declare
  d jsonb;
  r jsonb;
  ev jsonb;
  outcome jsonb := '[]'::jsonb;
  jobs jsonb := '[]'::jsonb;
begin
  for d in select value from jsonb_array_elements(deliveries) loop
    r := s2s_append_stream(d->>'s', 'no_stream', jsonb_build_array(d->'r'));
    if not (r ? 'conflict') then
      jobs := jobs || jsonb_build_array(d->'j');
      outcome := outcome || 'true'::jsonb;
    else
      if d ? 'd' then
        ev := d->'d';
      else
        ev := jsonb_build_object(
          't', d->'dt',
          'sv', d->'dsv',
          'd', (d->'r'->'d') - coalesce(array(select jsonb_array_elements_text(d->'dx')), '{}'::text[]),
          'm', d->'r'->'m');
      end if;
      perform s2s_append_stream(d->>'s', 'any', jsonb_build_array(ev));
      outcome := outcome || 'false'::jsonb;
    end if;
  end loop;
  if jsonb_array_length(jobs) > 0 then
    perform s2s_enqueue(jobs::json);
  end if;
  return outcome;
end
$$;

revoke all on function s2s_append_stream(text, text, jsonb) from public;
grant execute on function s2s_append_stream(text, text, jsonb) to s2s_app;
