-- The append paths as server-side functions: optimistic concurrency per stream, the events, and
-- their jobs (one s2s_enqueue call, 0003_jobs.sql) in a single statement, so an append costs one round
-- trip instead of BEGIN + three statements + COMMIT. Both run as the caller (the app role), which may
-- insert events and update event_streams (0001_event_store.sql).

-- s2s_append: appends of jobs and commands. A conflict raises S2C01 and the whole statement (every
-- stream, every job) is rolled back. Streams are locked in the order given (the caller sorts them), so
-- concurrent multi-stream appends cannot deadlock. Idempotent in every case:
--  * a retry is recognised by its event ids being stored in that same stream (counting them anywhere
--    in the log would let ids of another stream make a conflict look like a retry), and skipped;
--  * expectedVersion "any" recognises a retry too. The stream row is locked first, so a concurrent
--    identical append is waited for and then found; ids stored elsewhere, or only some of them, are an
--    error of their own (S2C02): the caller reused ids for different events, which no retry can repair;
--  * the jobs of a call in which every stream was skipped as already appended are not enqueued
--    again: they were committed with the events (and may have run and been deleted since, or hold a
--    job_key that add_jobs would reset). A call with some new events enqueues its jobs.
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

grant execute on function s2s_append(jsonb, json) to s2s_app;

-- s2s_record_deliveries: webhook deliveries as one statement per group-commit batch. For each
-- delivery, the first of its webhook creates the stream with WebhookReceived and gets its
-- normalization job; a redelivery (the stream exists, created earlier or earlier in this batch)
-- appends WebhookDuplicateReceived and no job. All jobs go in with one add_jobs call. A delivery may
-- name its duplicate event as a variant of the received one ("dt": its type, "dsv": its schema
-- version, "dx": data keys it does not carry) instead of spelling it out ("d"): the body is most of a
-- delivery's bytes, so a batch carries each body once.
--
-- deliveries: [{"s": stream id, "r": received event {"id","t","sv","d","m"},
--               "d": duplicate event | "dt", "dsv", "dx": [keys], "j": job spec}]
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

grant execute on function s2s_record_deliveries(jsonb) to s2s_app;
