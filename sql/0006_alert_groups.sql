-- Alert grouping state: one row per group key (company|partner|campaign|problem[|scope]) whose window
-- is open, holding src/alerts/grouping.ts's GroupingState with that one group. A delivery job
-- decides under `select ... for update` on its group's row, so concurrent alerts of one broken
-- campaign count into one window instead of each posting; the digest job deletes the rows whose
-- window closed. Derived and disposable: the alert streams in the event log are the record.
create table alert_groups (
  group_key text collate "C" primary key,
  state jsonb not null,
  updated_at timestamptz not null default now()
);

grant select, insert, update, delete on alert_groups to s2s_app;
