-- Dispatch leases are ephemeral (seconds) and only matter while their holder runs: they need no WAL.
-- An unlogged table skips the fsync on every take and release; after a crash PostgreSQL empties it,
-- which releases the leases of workers that died with it.
alter table dispatch_leases set unlogged;
