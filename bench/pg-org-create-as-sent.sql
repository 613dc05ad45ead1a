-- pgbench script for `npm run bench` (informative): exactly what the server sends for one
-- POST /v1/accounts (USD, low-balance settings, an Idempotency-Key) on PostgreSQL, checked with
-- log_statement = 'all': the same inserts as bench/pg-org-create.sql, held back by the
-- write-behind transaction (src/store/write-behind.ts) and sent as one statement (a chain of
-- data-modifying CTEs), atomic by itself, so without BEGIN and COMMIT. (The token's signing key
-- and the name's uniqueness cost no statement: the key is cached, the name is a unique constraint.)
-- Run by bench/run.ts like pg-org-create.sql.
-- Ids and keys derive from txid_current() (unique, increasing, like the time-prefixed ids of src/ledger/ids.ts);
-- JSON payloads are literals of about the size the server writes, with ': ' and no ':<letter|digit>'
-- inside quotes (pgbench would take it for a variable, even in a string literal).

with w0 as (
  insert into org_accounts (tenant_id, mode, id, name, description, currency, balance, low_balance, below_threshold, created_at, updated_at)
  values (:tenant, :mode, 'oacc_P' || lpad(txid_current()::text, 20, '0'), 'Budget pgb-' || txid_current(), null, 'USD', '0', '{"has_notification": true,"notification_email": "finance@example.com","threshold": "1000000000"}', 1, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'))), w1 as (
  insert into balances (tenant_id, mode, holder_id, currency, amount, sequence, created_at, updated_at)
  values (:tenant, :mode, 'oacc_P' || lpad(txid_current()::text, 20, '0'), 'USD', '0', 0, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'))), w2 as (
  insert into events (tenant_id, mode, id, type, source, data, created_at, dispatched_at)
  values (:tenant, :mode, 'evt_P' || lpad(txid_current()::text, 20, '0'), 'org.account.created', 'org',
    '{"accountId": "oacc_0Vcf06HByoVlkAODPsaXm","name": "Budget 1a2b3c4d-123456","balance": {"currencyCode": "USD","units": "0","nanos": 0},"createTime": "2026-12-02T15.43.24.625Z","updateTime": "2026-12-02T15.43.24.625Z","lowBalance": {"hasNotification": true,"notificationEmail": "finance@example.com","threshold": {"currencyCode": "USD","units": "1","nanos": 0}}}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null))
insert into idempotency_keys (tenant_id, mode, key, fingerprint, method, path, response_status, response_headers, response_body, resource_id, created_at, expires_at)
  values (:tenant, :mode, 'create-pgb-' || txid_current(), 'zUlo9DxppXAoP6xFuHPToGAe3vYGeAynfsxbixWsrCk', 'POST', '/v1/accounts', 200, '{"content-type": "application/json; charset=utf-8"}',
    '{"account": {"accountId": "oacc_0Vcf06HByoVlkAODPsaXm","name": "Budget 1a2b3c4d-123456","balance": {"currencyCode": "USD","units": "0","nanos": 0},"createTime": "2026-12-02T15.43.24.625Z","updateTime": "2026-12-02T15.43.24.625Z","lowBalance": {"hasNotification": true,"notificationEmail": "finance@example.com","threshold": {"currencyCode": "USD","units": "1","nanos": 0}}}}', 'oacc_P' || lpad(txid_current()::text, 20, '0'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char((now() + interval '24 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
