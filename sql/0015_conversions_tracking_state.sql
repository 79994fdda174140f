-- Tracking state of each order in the conversions view: 'none' (no click id, no utm: the old
-- missing_tracking), 'inconsistent' (utm_source names Google or Meta but the matching click id is
-- missing, so the ad platform cannot attribute the sale), 'ok'. Existing rows get 'none' or 'ok' from
-- missing_tracking; 'inconsistent' appears with the order's next event or after a projection rebuild.
alter table conversions add column tracking_state text not null default 'ok';
update conversions set tracking_state = 'none' where missing_tracking;
create index conversions_tracking_state on conversions (generation, tracking_state, placed_at desc)
  where tracking_state <> 'ok';
