-- pgbench script for `npm run bench`: the baseline of the get target for the billing surface.
-- The keyed select one GET /billing/accounts/{id} makes on PostgreSQL, checked with
-- log_statement = 'all' (the key lookup is cached: no other statement), over the accounts
-- scale.seed stored (bench/surfaces/billing.ts).
-- Run (once the harness has seeded rows 1..N with scale.seed): pgbench -n -M prepared -c 10 -j 2 -T <s>
--   -D rows=N -D tenant=ten_… -D mode=test -D seed_epoch_ms=… (the surface's pgbench.variables) -f <this file>
-- Row i's id is computed the way scale.seed makes it: the base62 digits of its millisecond
-- (seed_epoch_ms + i·10) in pgbench's own integer arithmetic (client side), then 8 one-character
-- substr() and an lpad() in the statement (a generic plan: they run once per execution, before the
-- index probe). Measured on 20,000 billing rows, 10 clients, a loaded machine: 0.6–1.0× the tps of
-- the same select with a literal id, so this baseline is if anything low.
-- \gset (into row_… variables) fails the transaction unless exactly one row came back: a run with 0
-- failed transactions read a stored row every time.

\set i random(1, :rows)
\set ms :seed_epoch_ms + :i * 10
\set d7 (:ms / 3521614606208) % 62
\set d6 (:ms / 56800235584) % 62
\set d5 (:ms / 916132832) % 62
\set d4 (:ms / 14776336) % 62
\set d3 (:ms / 238328) % 62
\set d2 (:ms / 3844) % 62
\set d1 (:ms / 62) % 62
\set d0 :ms % 62
select * from accounts where tenant_id = :tenant and mode = :mode
  and id = 'bacc_' || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d7 + 1, 1) || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d6 + 1, 1) || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d5 + 1, 1) || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d4 + 1, 1)
    || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d3 + 1, 1) || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d2 + 1, 1) || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d1 + 1, 1) || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', :d0 + 1, 1)
    || lpad(:i::text, 13, '0')
\gset row_
