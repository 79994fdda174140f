-- Working state of the pipeline's stages beside the log: small tables a stage reads and writes in its
-- own transactions. None of them is a record of what happened (the event log is); each says below how
-- it is rebuilt or why it may be lost.

-- Normalization. Billing payments that name a shop order (Stripe metadata.order_id + ordersOf): later
-- billing webhooks that only know the billing object (a refund of that payment) are routed to the
-- same order through this alias. Written in the normalization transaction; derivable from the
-- WebhookNormalized events (billingKey) if it ever had to be rebuilt.
create table order_aliases (
  alias text primary key,
  order_key text not null,
  created_at timestamptz not null default now()
);

grant select, insert on order_aliases to s2s_app;

-- Dispatch. One dispatch of an (order, target, kind) at a time, across worker processes. The
-- dispatcher reads the order's stream before calling the destination, but two jobs for the same pair
-- running at once (an operator re-dispatch while a retry runs) would both see "not sent yet". A lease
-- taken before the call closes that window without holding a database connection during the HTTP
-- request; an expired lease (a crashed worker) is taken over.
--
-- Leases are ephemeral (seconds) and only matter while their holder runs: they need no WAL. An
-- unlogged table skips the fsync on every take and release; after a crash PostgreSQL empties it,
-- which releases the leases of workers that died with it.
--
-- pool_id names the worker pool whose job took the lease (0008_workers.sql): when that pool is
-- released (dead, or stopped), its leases go with its jobs, so the jobs' next run does not wait out
-- the lease's TTL.
create unlogged table dispatch_leases (
  dispatch_key text primary key,
  holder text not null,
  expires_at timestamptz not null,
  pool_id text
);
create index dispatch_leases_pool_id on dispatch_leases (pool_id) where pool_id is not null;

grant select, insert, update, delete on dispatch_leases to s2s_app;

-- Alerts. Grouping state: one row per group key (company|partner|campaign|problem[|scope]) whose
-- window is open, holding src/alerts/grouping.ts's GroupingState with that one group. A delivery job
-- decides under `select ... for update` on its group's row, so concurrent alerts of one broken
-- campaign count into one window instead of each posting; the digest job deletes the rows whose
-- window closed. Derived and disposable: the alert streams in the event log are the record.
create table alert_groups (
  group_key text collate "C" primary key,
  state jsonb not null,
  updated_at timestamptz not null default now()
);

grant select, insert, update, delete on alert_groups to s2s_app;
