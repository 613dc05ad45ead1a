-- pgbench script for `npm run bench` (SPEC §6): the baseline of the SPEC ratio for the org
-- surface. The inserts of one POST /v1/accounts (USD, low-balance settings, an Idempotency-Key)
-- on PostgreSQL: the account, its zero balance, its event, and the idempotency key with its
-- answer, as a plain transaction: BEGIN, one statement per insert, COMMIT. (The server sends the
-- same inserts as one statement, with no read before them: bench/pg-org-create-as-sent.sql.)
-- Keep in step with the create path (src/surfaces/org/domain/accounts.ts, src/surfaces/org/store/repositories.ts,
-- src/store/write-behind.ts).
-- Run by bench/run.ts: pgbench -n -M prepared -c 10 -j 2 -T <s> -D tenant=ten_… -D mode=test … -f <this file>
-- Ids and keys derive from txid_current() (unique, increasing, like the time-prefixed ids of src/ledger/ids.ts);
-- JSON payloads are literals of about the size the server writes, with ': ' and no ':<letter|digit>'
-- inside quotes (pgbench would take it for a variable, even in a string literal).

begin;
insert into org_accounts (tenant_id, mode, id, name, description, currency, balance, low_balance, below_threshold, created_at, updated_at)
  values (:tenant, :mode, 'oacc_P' || lpad(txid_current()::text, 20, '0'), 'Budget pgb-' || txid_current(), null, 'USD', '0', '{"has_notification": true,"notification_email": "finance@example.com","threshold": "1000000000"}', 1, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
insert into balances (tenant_id, mode, holder_id, currency, amount, sequence, created_at, updated_at)
  values (:tenant, :mode, 'oacc_P' || lpad(txid_current()::text, 20, '0'), 'USD', '0', 0, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
insert into events (tenant_id, mode, id, type, source, data, created_at, dispatched_at)
  values (:tenant, :mode, 'evt_P' || lpad(txid_current()::text, 20, '0'), 'org.account.created', 'org',
    '{"accountId": "oacc_0Vcf06HByoVlkAODPsaXm","name": "Budget 1a2b3c4d-123456","balance": {"currencyCode": "USD","units": "0","nanos": 0},"createTime": "2026-12-02T15.43.24.625Z","updateTime": "2026-12-02T15.43.24.625Z","lowBalance": {"hasNotification": true,"notificationEmail": "finance@example.com","threshold": {"currencyCode": "USD","units": "1","nanos": 0}}}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null);
insert into idempotency_keys (tenant_id, mode, key, fingerprint, method, path, response_status, response_headers, response_body, resource_id, created_at, expires_at)
  values (:tenant, :mode, 'create-pgb-' || txid_current(), 'zUlo9DxppXAoP6xFuHPToGAe3vYGeAynfsxbixWsrCk', 'POST', '/v1/accounts', 200, '{"content-type": "application/json; charset=utf-8"}',
    '{"account": {"accountId": "oacc_0Vcf06HByoVlkAODPsaXm","name": "Budget 1a2b3c4d-123456","balance": {"currencyCode": "USD","units": "0","nanos": 0},"createTime": "2026-12-02T15.43.24.625Z","updateTime": "2026-12-02T15.43.24.625Z","lowBalance": {"hasNotification": true,"notificationEmail": "finance@example.com","threshold": {"currencyCode": "USD","units": "1","nanos": 0}}}}', 'oacc_P' || lpad(txid_current()::text, 20, '0'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char((now() + interval '24 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
commit;
