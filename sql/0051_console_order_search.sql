-- What the console's order search, coverage and needs-attention pages ask of the conversions view
-- (sql/0005_conversions.sql), answered from indexes so no page reads every order.

-- click_keys: the names of the identifiers the order carries with a value (gclid, gbraid, wbraid,
-- fbclid, fbc, fbp, then the affiliate click ids by parameter name, sorted), so coverage can tell per
-- partner whether its own click id arrived without reading the document. consent: the order's
-- ad_user_data consent (granted | denied), null when the shop said nothing. Both are written by the
-- projection (conversionView.ts columnsOf); existing rows are filled here the same way.
alter table conversions add column click_keys text[] not null default '{}';
alter table conversions add column consent text;

update conversions set
  click_keys = array(
    select k from (
      select k, n from unnest(array['gclid', 'gbraid', 'wbraid', 'fbclid', 'fbc', 'fbp']) with ordinality as t(k, n)
      where btrim(coalesce(doc #>> array['order', 'order', 'tracking', k], '')) <> ''
      union all
      select key, 100 from jsonb_each_text(coalesce(doc #> '{order,order,tracking,clickIds}', '{}'))
      where btrim(value) <> ''
    ) present
    order by n, k collate "C"),
  consent = doc #>> '{order,order,consent,adUserData}'
where doc #> '{order,order}' is not null and jsonb_typeof(doc #> '{order,order}') = 'object';

-- Search by e-mail without the address leaving the browser: the console sends the SHA-256 (hex) of
-- the address with ASCII whitespace trimmed and A-Z lower-cased, and this is the same digest of the
-- stored address. translate() instead of lower(): the result must not depend on the collation.
-- Immutable: convert_to() is only stable because a database's encoding could differ, and a
-- database's encoding never changes.
create function s2s_email_key(doc jsonb) returns text
language sql immutable parallel safe
as $$
  select encode(sha256(convert_to(
    translate(btrim(doc #>> '{order,order,customer,email}', E' \t\r\n'),
              'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
    'UTF8')), 'hex')
$$;

-- Every click id value of the order (Google's, Meta's and the affiliate ones), for search by click id.
create function s2s_click_ids(doc jsonb) returns text[]
language sql immutable parallel safe
as $$
  select coalesce(array_agg(v), '{}') from (
    select doc #>> array['order', 'order', 'tracking', k] as v
    from unnest(array['gclid', 'gbraid', 'wbraid', 'fbclid', 'fbc']) as k
    union all
    select value from jsonb_each_text(coalesce(doc #> '{order,order,tracking,clickIds}', '{}'))
  ) ids
  where coalesce(v, '') <> ''
$$;

create index conversions_email_key on conversions (generation, s2s_email_key(doc));
create index conversions_click_ids on conversions using gin (s2s_click_ids(doc));
-- Per-target dispatch state ({"targetId": ..., "status": ...} elements of doc.dispatch): the orders
-- search by target and the needs-attention lists (dead letters, rejections) match with @>.
create index conversions_dispatch on conversions using gin ((doc -> 'dispatch') jsonb_path_ops);
-- The order list without filters (newest first, keyset on placed_at, order_key), and coverage by the
-- day an order was paid (as the daily digest counts it).
create index conversions_time on conversions (generation, placed_at desc, order_key desc);
create index conversions_paid_day on conversions (generation, (coalesce(paid_at, placed_at)));
