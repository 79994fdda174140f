-- Projection bookkeeping. A projection's read model is kept per generation: the live generation serves
-- reads while a rebuild fills the next one from position zero; the swap is one UPDATE of
-- active_generation, so readers see either the old view or the new one, never a mix.
create table projections (
  name text primary key,
  active_generation integer not null default 1,
  rebuilding_generation integer,
  updated_at timestamptz not null default now()
);

-- One checkpoint per (projection, generation), advanced by compare-and-set in the transaction that
-- writes the read model. ('0', 0) is "before the first event".
create table projection_checkpoints (
  name text not null,
  generation integer not null,
  last_xid xid8 not null default '0'::xid8,
  last_position bigint not null default 0,
  events_applied bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (name, generation)
);

-- The first real read model: one row per stream (type prefix, version, first/last event).
create table stream_summaries (
  generation integer not null,
  stream_id text collate "C" not null,
  category text not null,
  version bigint not null,
  event_count bigint not null,
  first_event_type text not null,
  last_event_type text not null,
  first_recorded_at timestamptz not null,
  last_recorded_at timestamptz not null,
  last_position bigint not null,
  primary key (generation, stream_id)
);
create index stream_summaries_category on stream_summaries (generation, category, last_recorded_at);

grant select, insert, update, delete on projections, projection_checkpoints, stream_summaries to s2s_app;
