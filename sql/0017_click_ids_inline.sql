-- The conversions view's click-id index, cheaper to maintain. s2s_click_ids (0005) collected the
-- order's click ids with a subquery (unnest, jsonb_each_text, array_agg), so PostgreSQL could not
-- inline it: every row written to conversions ran it as a function call with its own executor
-- start-up, 130-200 us a row, about 40% of the database's time in a rebuild of the view (and in
-- every live upsert of an order). It is now one expression of two jsonpath queries, which
-- PostgreSQL inlines into the index expression and into the search's WHERE alike; building the
-- index over 100,000 rows on PostgreSQL 15 took 476 ms against 1,495 ms.
--
-- Same ids as before (an order without tracking has none; a value of another shape is passed over,
-- never an error in a write): the non-empty strings among tracking's gclid, gbraid, wbraid, fbclid and fbc,
-- and every non-empty string of tracking.clickIds (the affiliate ones). As a jsonb array now, indexed
-- with jsonb_path_ops; the orders search asks `s2s_click_ids(doc) @> jsonb_build_array($1::text)`.
-- Rebuilding the index reads every row of conversions once.
drop index conversions_click_ids;
drop function s2s_click_ids(jsonb);

create function s2s_click_ids(doc jsonb) returns jsonb
language sql immutable parallel safe
as $$
  select coalesce(jsonb_path_query_array(doc #> '{order,order,tracking}',
           '$.keyvalue() ? (@.key == "gclid" || @.key == "gbraid" || @.key == "wbraid" || @.key == "fbclid" || @.key == "fbc").value ? (@.type() == "string" && @ != "")',
           '{}', true), '[]')
      || coalesce(jsonb_path_query_array(doc #> '{order,order,tracking,clickIds}',
           '$.* ? (@.type() == "string" && @ != "")', '{}', true), '[]')
$$;

create index conversions_click_ids on conversions using gin (s2s_click_ids(doc) jsonb_path_ops);
