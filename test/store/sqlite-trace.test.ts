import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import type { SqliteTraceLine } from '../../src/store/dialects.js';
import { client, uniqueRef } from '../support/http.js';
import { build } from '../support/server.js';

// SUBLEDGER_SQLITE_TRACE (bench only, bench/floor.ts): every SQLite statement the server runs is
// appended to the file as one JSON line; unset, nothing is written.

type TraceLine = SqliteTraceLine;

const readTrace = (file: string): TraceLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceLine);

describe('SQLite statement trace', () => {
  test('a billing account create through HTTP leaves its inserts, with their parameters, in the trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subledger-trace-'));
    const file = join(dir, 'trace.jsonl');
    const server = await build('sqlite', { env: { SUBLEDGER_SQLITE_TRACE: file } });
    try {
      const reference = uniqueRef('ACC');
      const customerReference = uniqueRef('CUS');
      const response = await client(server, server.tenant.keys.test.secret).post('/billing/accounts', {
        customer: { external_reference: customerReference, name: 'John Doe' },
        external_reference: reference,
        name: 'Traced',
        currency: 'ZAR',
        balance: 2000,
      });
      assert.equal(response.status, 201, response.text);
      const lines = readTrace(file);
      // The migrations came through the same statements: the trace of a fresh file starts with them.
      assert.ok(lines.some((line) => /^create table/i.test(line.sql)), 'the migrations are traced');
      const account = lines.find((line) => /^insert into "?accounts"?[\s(]/i.test(line.sql) && line.params.includes(reference));
      assert.ok(account, `no insert into accounts with ${reference} in the trace`);
      assert.ok(account.params.includes(response.body.id), 'the insert carries the new account id');
      assert.ok(account.params.includes(server.tenant.tenant.id), 'and its tenant');
      assert.equal(account.op === 'run' || account.op === 'all', true);
      assert.equal(account.rows, 1, 'one row inserted');
      const customer = lines.find((line) => /^insert into "?customers"?[\s(]/i.test(line.sql) && line.params.includes(customerReference));
      assert.ok(customer, 'the inline customer is traced too');
      // Transactions are statements of the same cache: the write sits between a begin and a commit.
      const at = lines.indexOf(account);
      assert.ok(lines.slice(0, at).some((line) => /^begin/i.test(line.sql)), 'a begin before the insert');
      assert.ok(lines.slice(at).some((line) => /^commit/i.test(line.sql)), 'a commit after it');
      // Parameters JSON cannot hold come tagged: BigInt as {"$bigint": "…"}.
      for (const line of lines) for (const param of line.params) if (param !== null && typeof param === 'object') assert.ok('$bigint' in param || '$hex' in param, JSON.stringify(param));
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unset, no trace file is written', async () => {
    assert.equal(loadConfig({}).sqliteTrace, undefined);
    assert.equal(loadConfig({ SUBLEDGER_SQLITE_TRACE: '' }).sqliteTrace, undefined);
    const server = await build('sqlite');
    const dir = dirname(server.database.url.slice('sqlite:'.length));
    try {
      const response = await client(server, server.tenant.keys.test.secret).post('/billing/accounts', {
        customer: { external_reference: uniqueRef('CUS') },
        external_reference: uniqueRef('ACC'),
        currency: 'ZAR',
        balance: 2000,
      });
      assert.equal(response.status, 201, response.text);
      // The database's directory holds the database and its WAL files only.
      assert.deepEqual(
        readdirSync(dir).filter((name) => !/^test\.db(-wal|-shm)?$/.test(name)),
        [],
      );
    } finally {
      await server.close();
    }
    assert.equal(existsSync(dir), false);
  });
});
