import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// A reproduction, with nothing of ours, of SQLite walking its whole page cache at commits
// (docs/decisions.md, issue 25): `tsx bench/page-cache-scan.ts [cache KiB]` fills a table of
// random text keys (50,000 rows, ~6,400 pages), then times 20,000 transactions of one insert
// each. When an insert splits a b-tree page, balance_nonroot reorders the new pages through the
// pending-byte page's number as a temporary key, which raises the cache's largest key to 262145;
// that commit's truncation then takes its "many pages" branch and visits every cached page.
// Run under `perf record` and compare `pcache1TruncateUnsafe`: 3–6% of the whole process with
// a 65536 KiB cache (every page cached), under 1% with SQLite's default 2000 KiB (2026-12-07).
// Not part of `npm run bench`.

const cacheKiB = Number(process.argv[2] ?? 65536);
const dir = mkdtempSync(join(tmpdir(), 'subledger-page-cache-'));
try {
  const db = new Database(join(dir, 'scan.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${cacheKiB}`);
  db.exec('create table keyed (key text primary key, body text)');
  const insert = db.prepare('insert into keyed values (?, ?)');
  const body = 'x'.repeat(300);
  const randomKey = () => Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  db.transaction(() => {
    for (let i = 0; i < 50_000; i++) insert.run(randomKey(), body);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.prepare('select count(*), sum(length(body)) from keyed').get(); // every page into the cache
  const transactions = 20_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < transactions; i++) {
    db.exec('begin immediate');
    insert.run(randomKey(), body);
    db.exec('commit');
  }
  const us = Number(process.hrtime.bigint() - started) / transactions / 1000;
  console.log(`cache ${cacheKiB} KiB: ${us.toFixed(1)} µs per one-insert transaction, ${db.pragma('page_count', { simple: true })} pages`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
