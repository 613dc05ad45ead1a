-- pgbench script for `npm run bench` (informative): exactly what the server sends for one
-- POST /billing/accounts (inline new customer, opening balance 2000 ZAR, Idempotency-Key) on
-- PostgreSQL, checked with log_statement = 'all': the same inserts as bench/pg-create.sql, held
-- back by the write-behind transaction (src/store/write-behind.ts) and sent as one statement
-- (a chain of data-modifying CTEs), atomic by itself, so without BEGIN and COMMIT.
-- Run by bench/run.ts like pg-create.sql.
-- Ids and keys derive from txid_current() (unique, increasing, like the time-prefixed ids of src/ledger/ids.ts);
-- JSON payloads are literals of about the size the server writes, with ': ' and no ':<letter|digit>'
-- inside quotes (pgbench would take it for a variable, even in a string literal).

with w0 as (
  insert into customers (tenant_id, mode, id, external_reference, name, currency, balance, payment_rules, metadata, created_at, updated_at, email, phone)
  values (:tenant, :mode, 'bcus_P' || lpad(txid_current()::text, 20, '0'), 'CUS-pgb-' || txid_current(), 'John Doe', null, null, null, '{}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null, null)), w1 as (
  insert into events (tenant_id, mode, id, type, source, data, created_at, dispatched_at)
  values (:tenant, :mode, 'evt_P' || lpad(txid_current()::text, 20, '0'), 'billing.customer.created', 'billing',
    '{"id": "bcus_0VbmGDdrugYxsNlvZBCQk","external_reference": "CUS-1a2b3c4d-123456","name": "John Doe","email": null,"phone": null,"currency": null,"balance": null,"payment_rules": null,"metadata": {},"created_at": "2026-11-23T07.02.27.702Z","updated_at": "2026-11-23T07.02.27.702Z"}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null)), w2 as (
  insert into accounts (tenant_id, mode, id, external_reference, name, currency, balance, payment_rules, metadata, created_at, updated_at, customer_id)
  values (:tenant, :mode, 'bacc_P' || lpad(txid_current()::text, 20, '0'), 'ACC-pgb-' || txid_current(), 'Subscription Account', 'ZAR', 2000, null, '{}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), 'bcus_P' || lpad(txid_current()::text, 20, '0'))), w3 as (
  insert into balances (tenant_id, mode, holder_id, currency, amount, sequence, created_at, updated_at)
  values (:tenant, :mode, 'bacc_P' || lpad(txid_current()::text, 20, '0'), 'ZAR', '20000000000', 1, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'))), w3b as (
  insert into ledger_entries (tenant_id, mode, holder_id, currency, sequence, id, kind, amount, balance_after, counterparty, reference, request_id, idempotency_key, actor, created_at)
  values (:tenant, :mode, 'bacc_P' || lpad(txid_current()::text, 20, '0'), 'ZAR', 1, 'ble_P' || lpad(txid_current()::text, 20, '0'), 'initial', '20000000000', '20000000000', 'external', null, 'req_P' || lpad(txid_current()::text, 20, '0'), 'create-pgb-' || txid_current(), :actor, replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'))), w4 as (
  insert into events (tenant_id, mode, id, type, source, data, created_at, dispatched_at)
  values (:tenant, :mode, 'evtA_P' || lpad(txid_current()::text, 20, '0'), 'billing.account.created', 'billing',
    '{"id": "bacc_0VbmGDdvroJOLjo77BC10","external_reference": "ACC-1a2b3c4d-123456","customer_id": "bcus_0VbmGDdrugYxsNlvZBCQk","name": "Subscription Account","currency": "ZAR","balance": 2000,"payment_rules": null,"metadata": {},"created_at": "2026-11-23T07.02.27.702Z","updated_at": "2026-11-23T07.02.27.702Z"}', replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), null))
insert into idempotency_keys (tenant_id, mode, key, fingerprint, method, path, response_status, response_headers, response_body, resource_id, created_at, expires_at)
  values (:tenant, :mode, 'create-pgb-' || txid_current(), 'T9PzIVLQ6K_4a3lOJlzu2dA7K6MfjbgVtG2W-m09uIs', 'POST', '/billing/accounts', 201, '{"content-type": "application/json; charset=utf-8"}',
    '{"id": "bacc_0VbmGDdvroJOLjo77BC10","external_reference": "ACC-1a2b3c4d-123456","customer_id": "bcus_0VbmGDdrugYxsNlvZBCQk","name": "Subscription Account","currency": "ZAR","balance": 2000,"payment_rules": null,"metadata": {},"created_at": "2026-11-23T07.02.27.702Z","updated_at": "2026-11-23T07.02.27.702Z"}', 'bacc_P' || lpad(txid_current()::text, 20, '0'), replace(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'), replace(to_char((now() + interval '24 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24#MI#SS.MS"Z"'), '#', ':'));
