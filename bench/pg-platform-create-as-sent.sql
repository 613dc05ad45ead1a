-- pgbench script for `npm run bench` (informative): exactly what the server sends for one
-- POST /v2/accounts (an OWNED sub-account, with an Idempotency-Key) on PostgreSQL, checked with
-- log_statement = 'all': the tenant read (for the sub-account's country; not cached), then the
-- same inserts as bench/pg-platform-create.sql, held back by the write-behind transaction
-- (src/store/write-behind.ts) and sent as one statement (a chain of data-modifying CTEs), atomic
-- by itself, so without BEGIN and COMMIT. The read comes before any write: it runs outside a
-- transaction, as the server's does.
-- Run by bench/run.ts like pg-platform-create.sql.
-- Ids and keys derive from txid_current() (unique, increasing, like the time-prefixed ids of src/ledger/ids.ts);
-- JSON payloads are literals of about the size the server writes, with ': ' and no ':<letter|digit>'
-- inside quotes (pgbench would take it for a variable, even in a string literal).

select * from tenants where id = :tenant;
with w0 as (
  insert into platform_sub_accounts (tenant_id, mode, id, type, status, email, business_name, description, configurations, country, created_at, updated_at)
  values (:tenant, :mode, 'f' || lpad(to_hex(txid_current()), 23, '0'), 'OWNED', 'LIVE', 'shop-pgb-' || txid_current() || '@example.com', 'Shop pgb-' || txid_current(), null, null, :country, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'))), w1 as (
  insert into events (tenant_id, mode, id, type, source, data, created_at, dispatched_at)
  values (:tenant, :mode, 'evt_P' || lpad(txid_current()::text, 20, '0'), 'account.created', 'platform',
    '{"id": "01a2376cc2321294543cbdfa","created": "2026-12-02T15.43.24.210Z","updated": "2026-12-02T15.43.24.210Z","type": "OWNED","email": "shop-1a2b3c4d-123456@example.com","public_profile": {"business_name": "Shop 1a2b3c4d-123456"},"country": "ID","status": "LIVE"}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null))
insert into idempotency_keys (tenant_id, mode, key, fingerprint, method, path, response_status, response_headers, response_body, resource_id, created_at, expires_at)
  values (:tenant, :mode, 'create-pgb-' || txid_current(), 'yqUecDMPtzXrdNzcXGZcn_hhP3yF-bO8PzOUG_amjmw', 'POST', '/v2/accounts', 200, '{"content-type": "application/json; charset=utf-8"}',
    '{"id": "01a2376cc2321294543cbdfa","created": "2026-12-02T15.43.24.210Z","updated": "2026-12-02T15.43.24.210Z","type": "OWNED","email": "shop-1a2b3c4d-123456@example.com","public_profile": {"business_name": "Shop 1a2b3c4d-123456"},"country": "ID","status": "LIVE"}', 'f' || lpad(to_hex(txid_current()), 23, '0'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char((now() + interval '24 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
