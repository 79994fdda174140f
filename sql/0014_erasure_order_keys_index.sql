-- Operator actions that cover many orders (SubjectErased lists every order it touched in
-- `orderKeys`) belong in each of those orders' log: this partial index finds them by containment
-- (data->'orderKeys' @> '["KEY"]') without scanning the log. Only such events are indexed, so the
-- index stays as small as the number of those actions.
create index events_order_keys on events using gin ((data->'orderKeys') jsonb_path_ops)
  where data ? 'orderKeys';
