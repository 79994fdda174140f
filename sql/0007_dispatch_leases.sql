-- One dispatch of an (order, target, kind) at a time, across worker processes. The dispatcher reads
-- the order's stream before calling the destination, but two jobs for the same pair running at once
-- (an operator re-dispatch while a retry runs) would both see "not sent yet". A lease taken before
-- the call closes that window without holding a database connection during the HTTP request; an
-- expired lease (a crashed worker) is taken over.
create table dispatch_leases (
  dispatch_key text primary key,
  holder text not null,
  expires_at timestamptz not null
);

grant select, insert, update, delete on dispatch_leases to s2s_app;
