-- pgbench script for `npm run bench`: the baseline of the get target for the platform surface.
-- The keyed select one GET /v2/accounts/{id} makes on PostgreSQL, checked with
-- log_statement = 'all' (the key lookup is cached: no other statement), over the sub-accounts
-- scale.seed stored (bench/surfaces/platform.ts).
-- Run (once the harness has seeded rows 1..N with scale.seed): pgbench -n -M prepared -c 10 -j 2 -T <s>
--   -D rows=N -D tenant=ten_… -D mode=test -D seed_epoch_ms=… (the surface's pgbench.variables) -f <this file>
-- Row i's id is computed the way scale.seed makes it, 24 hex characters like Xendit's: 12 of its
-- millisecond (seed_epoch_ms + i·10, computed by pgbench), 12 of i (two to_hex() and lpad()s in the
-- statement: on 20,000 rows no slower than the same select with a literal id).
-- \gset (into row_… variables) fails the transaction unless exactly one row came back: a run with 0
-- failed transactions read a stored row every time.

\set i random(1, :rows)
\set ms :seed_epoch_ms + :i * 10
select * from platform_sub_accounts where tenant_id = :tenant and mode = :mode
  and id = lpad(to_hex(:ms::bigint), 12, '0') || lpad(to_hex(:i::bigint), 12, '0')
\gset row_
