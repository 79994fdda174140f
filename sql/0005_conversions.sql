-- The conversions read model: one row per order (current status, identity, tracking, per-target
-- dispatch state), searchable by the columns below; `doc` holds the full view. Kept per generation
-- (see 0002_projections.sql) so a rebuild can run beside the live view.
create table conversions (
  generation integer not null,
  order_key text collate "C" not null,
  source_id text not null,
  company text,
  market text,
  partner text,
  status text not null,
  value_minor bigint,
  currency text,
  placed_at timestamptz,
  paid_at timestamptz,
  ignored_reason text,
  test boolean not null default false,
  has_click_id boolean not null default false,
  missing_tracking boolean not null default true,
  utm_campaign text,
  dispatch_state text not null,
  doc jsonb not null,
  first_recorded_at timestamptz not null,
  updated_at timestamptz not null,
  last_position bigint not null,
  primary key (generation, order_key)
);

create index conversions_company_time on conversions (generation, company, placed_at desc);
create index conversions_partner_time on conversions (generation, partner, placed_at desc);
create index conversions_status on conversions (generation, status, placed_at desc);
create index conversions_dispatch_state on conversions (generation, dispatch_state, placed_at desc);
create index conversions_missing on conversions (generation, placed_at desc) where missing_tracking;

grant select, insert, update, delete on conversions to s2s_app;
