import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, migrateToLatest } from '../src/store/dialects.js';
import { migrationProviderOf } from '../src/store/migrations/index.js';
import { VENDORS } from '../src/surfaces/index.js';
import { median } from './probe.js';

// What the ledger's and the idempotency keys' indexes cost a write on SQLite (issue 25):
// `tsx bench/index-cost.ts` migrates a fresh database to today's schema, then measures the
// writes of a platform transfer that touch them (two ledger entries, one idempotency key with
// its stored answer; group-committed 20 at a time, as under load) on copies of that schema with
// the indexes issue 25 removed put back (and the expiry index it kept dropped), one more at a
// time: the CPU each one costs.
// Medians of 7 rounds of 2,000 writes after 4,000 stored, rounds of the variants interleaved.

/**
 * Indexes issue 25 removed, as they were, and one it measured and kept (dropped here, to show
 * what it costs); each variant changes the last n of them.
 */
const VARIANTS = [
  { name: 'ledger_entries_by_time', change: 'create index "ledger_entries_by_time" on "ledger_entries" ("tenant_id", "created_at", "id", "mode")', what: 'with' },
  { name: 'ledger_entries_as_of', change: 'create index "ledger_entries_as_of" on "ledger_entries" ("tenant_id", "holder_id", "currency", "mode", "created_at", "sequence")', what: 'with' },
  { name: 'idempotency_keys_expiry', change: 'drop index "idempotency_keys_expiry"', what: 'without' },
];
const ROUNDS = 7;
const PER_ROUND = 2000;
const BATCH = 20;

const dir = mkdtempSync(join(tmpdir(), 'subledger-index-cost-'));
try {
  const schemaFile = join(dir, 'schema.db');
  const migrated = openDatabase({ url: `sqlite:${schemaFile}` });
  await migrateToLatest(migrated.db, migrationProviderOf(VENDORS));
  await migrated.close();
  const schema = new Database(schemaFile, { readonly: true });
  const ddl = schema
    .prepare("select sql from sqlite_master where tbl_name in ('ledger_entries', 'idempotency_keys') and sql is not null order by type desc")
    .all()
    .map((row) => (row as { sql: string }).sql);
  schema.close();

  const variants = [3, 2, 1, 0].map((changed) => {
    const file = join(dir, `variant-${changed}.db`);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.defaultSafeIntegers(true);
    for (const statement of ddl) db.exec(statement);
    const changes = VARIANTS.slice(VARIANTS.length - changed);
    for (const variant of changes) db.exec(variant.change);
    const label = changed === 0 ? 'today' : changes.map((v) => `${v.what} ${v.name}`).join(', ');
    return { label, db, state: { n: 0, sequences: new Map<string, bigint>() }, rounds: [] as number[] };
  });

  for (const variant of variants) writeRound(variant.db, variant.state, 2 * PER_ROUND);
  for (let round = 0; round < ROUNDS; round++) for (const variant of variants) variant.rounds.push(writeRound(variant.db, variant.state, PER_ROUND));
  console.log(`SQLite writes of one transfer (2 ledger entries, 1 idempotency key), µs of CPU each, median of ${ROUNDS} rounds of ${PER_ROUND.toLocaleString('en-US')}:`);
  const today = median(variants.find((v) => v.label === 'today')!.rounds);
  for (const variant of variants) {
    const value = median(variant.rounds);
    console.log(`  ${value.toFixed(1).padStart(6)} µs  ${variant.label}${variant.label === 'today' ? '' : ` (${value >= today ? '+' : ''}${(value - today).toFixed(1)} µs against today)`}`);
  }
  for (const variant of variants) variant.db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** One round of transfer-shaped writes; answers µs of CPU per transfer. */
function writeRound(db: Database.Database, state: { n: number; sequences: Map<string, bigint> }, count: number): number {
  const entry = db.prepare(
    'insert into ledger_entries (tenant_id, mode, holder_id, currency, sequence, id, kind, amount, balance_after, counterparty, contra_id, reference, request_id, idempotency_key, actor, created_at, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const key = db.prepare(
    'insert into idempotency_keys (tenant_id, mode, key, fingerprint, method, path, response_status, response_headers, response_body, resource_id, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const tenant = 'ten_0Vd8WR5L6PAChWIvvRbyK';
  const answer = JSON.stringify({ id: randomBytes(12).toString('hex'), reference: `ref-${randomUUID()}`, amount: 12, status: 'SUCCESSFUL', created: new Date().toISOString() });
  const next = (holder: string) => {
    const sequence = (state.sequences.get(holder) ?? 0n) + 1n;
    state.sequences.set(holder, sequence);
    return sequence;
  };
  const started = process.cpuUsage();
  for (let batch = 0; batch < count / BATCH; batch++) {
    db.exec('begin immediate');
    for (let i = 0; i < BATCH; i++) {
      const n = state.n++;
      // A platform's hot balance (the tenant) to one of 200 sub-accounts, as the bench's transfers.
      const destination = (n % 200).toString(16).padStart(24, '0');
      const at = new Date(Date.UTC(2026, 11, 7) + n).toISOString();
      const id = `${(Date.UTC(2026, 11, 7) + n).toString(36)}${randomBytes(8).toString('hex')}`;
      const hash = randomBytes(32).toString('hex');
      entry.run(tenant, 'test', tenant, 'IDR', next(tenant), `le_${id}a`, 'transfer', '-12000000000', '0', destination, `le_${id}b`, `ref-${n}`, `req_${n}`, `idem-${n}`, 'sk_test', at, hash);
      entry.run(tenant, 'test', destination, 'IDR', next(destination), `le_${id}b`, 'transfer', '12000000000', '0', tenant, `le_${id}a`, `ref-${n}`, `req_${n}`, `idem-${n}`, 'sk_test', at, hash);
      key.run(tenant, 'test', `idem-${randomUUID()}`, hash.slice(0, 43), 'POST', '/transfers', 200, '{"content-type":"application/json; charset=utf-8"}', answer, id, at, at);
    }
    db.exec('commit');
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}
