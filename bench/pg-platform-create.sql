-- pgbench script for `npm run bench` (SPEC §6): the baseline of the SPEC ratio for the platform
-- surface. The inserts of one POST /v2/accounts (an OWNED sub-account, LIVE at once, with an
-- Idempotency-Key) on PostgreSQL: the sub-account, its event, and the idempotency key with its
-- answer, as a plain transaction: BEGIN, one statement per insert, COMMIT. (The server reads the
-- tenant first, for the sub-account's country, and sends the inserts as one statement:
-- bench/pg-platform-create-as-sent.sql.)
-- Keep in step with the create path (src/surfaces/platform/domain/sub-accounts.ts, src/surfaces/platform/store/repositories.ts,
-- src/store/write-behind.ts). A sub-account has no balance row until its first posting.
-- Run by bench/run.ts: pgbench -n -M prepared -c 10 -j 2 -T <s> -D tenant=ten_… -D mode=test -D country=ID … -f <this file>
-- Ids and keys derive from txid_current() (unique, increasing, like the time-prefixed ids of src/ledger/ids.ts);
-- JSON payloads are literals of about the size the server writes, with ': ' and no ':<letter|digit>'
-- inside quotes (pgbench would take it for a variable, even in a string literal).

begin;
insert into platform_sub_accounts (tenant_id, mode, id, type, status, email, business_name, description, configurations, country, created_at, updated_at)
  values (:tenant, :mode, 'f' || lpad(to_hex(txid_current()), 23, '0'), 'OWNED', 'LIVE', 'shop-pgb-' || txid_current() || '@example.com', 'Shop pgb-' || txid_current(), null, null, :country, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
insert into events (tenant_id, mode, id, type, source, data, created_at, dispatched_at)
  values (:tenant, :mode, 'evt_P' || lpad(txid_current()::text, 20, '0'), 'account.created', 'platform',
    '{"id": "01a2376cc2321294543cbdfa","created": "2026-12-02T15.43.24.210Z","updated": "2026-12-02T15.43.24.210Z","type": "OWNED","email": "shop-1a2b3c4d-123456@example.com","public_profile": {"business_name": "Shop 1a2b3c4d-123456"},"country": "ID","status": "LIVE"}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null);
insert into idempotency_keys (tenant_id, mode, key, fingerprint, method, path, response_status, response_headers, response_body, resource_id, created_at, expires_at)
  values (:tenant, :mode, 'create-pgb-' || txid_current(), 'yqUecDMPtzXrdNzcXGZcn_hhP3yF-bO8PzOUG_amjmw', 'POST', '/v2/accounts', 200, '{"content-type": "application/json; charset=utf-8"}',
    '{"id": "01a2376cc2321294543cbdfa","created": "2026-12-02T15.43.24.210Z","updated": "2026-12-02T15.43.24.210Z","type": "OWNED","email": "shop-1a2b3c4d-123456@example.com","public_profile": {"business_name": "Shop 1a2b3c4d-123456"},"country": "ID","status": "LIVE"}', 'f' || lpad(to_hex(txid_current()), 23, '0'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char((now() + interval '24 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
commit;
