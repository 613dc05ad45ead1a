import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { SqliteTraceLine } from '../../src/store/dialects.js';
import { defineUpdate, statementOf } from '../../src/store/statements.js';
import { client, uniqueRef } from '../support/http.js';
import { build } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { orgApiOf, uniqueName, usd } from '../org/org-client.js';

// An update sets only the columns that changed since the transaction read the row
// (UpdateDefinition.writeChanges, issue 25): an index on a column left alone is not rewritten.

const KEY = { tenant_id: 'ten_1', mode: 'test', id: 'bacc_1' };
const before = { ...KEY, external_reference: 'ref', name: 'Name', currency: 'USD', balance: 100n, payment_rules: null, metadata: '{}', created_at: 't0', updated_at: 't0', customer_id: 'bcus_1' };
const update = defineUpdate('accounts', { set: ['external_reference', 'name', 'currency', 'balance', 'payment_rules', 'metadata', 'created_at', 'updated_at', 'customer_id'], key: ['tenant_id', 'mode', 'id'] });

const kinds = await storeKinds();

describe('an update of the changed columns only', () => {
  test('sets what differs from the row as read, and the key; nothing when nothing differs; every column without a row read', () => {
    const narrowed = update.writeChanges({ ...before, balance: 250n, updated_at: 't1' }, before);
    assert.ok(narrowed);
    const query = statementOf(narrowed, 'sqlite');
    assert.equal(query.sql, 'update "accounts" set "balance" = ?, "updated_at" = ? where "tenant_id" = ? and "mode" = ? and "id" = ?');
    assert.deepEqual(query.parameters, [250n, 't1', 'ten_1', 'test', 'bacc_1']);
    assert.equal(statementOf(narrowed, 'postgres').sql, 'update "accounts" set "balance" = $1, "updated_at" = $2 where "tenant_id" = $3 and "mode" = $4 and "id" = $5');
    // A BigInt column read back as a number (or the other way round) is the same value.
    assert.equal(update.writeChanges({ ...before, balance: 100n }, { ...before, balance: 100 as unknown as bigint }), null);
    assert.equal(update.writeChanges({ ...before }, before), null);
    const whole = update.writeChanges({ ...before, name: 'Other' }, undefined);
    assert.ok(whole);
    assert.match(statementOf(whole, 'sqlite').sql, /^update "accounts" set "external_reference" = \?, "name" = \?, .*"customer_id" = \? where/);
    // A change to null is a change.
    const cleared = update.writeChanges({ ...before, name: null }, before);
    assert.ok(cleared);
    assert.equal(statementOf(cleared, 'sqlite').sql, 'update "accounts" set "name" = ? where "tenant_id" = ? and "mode" = ? and "id" = ?');
  });

  test('billing and org balance changes write only the balance and the time of the row (SQLite trace)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subledger-changed-'));
    const file = join(dir, 'trace.jsonl');
    const server = await build('sqlite', { env: { SUBLEDGER_SQLITE_TRACE: file }, listen: true });
    try {
      const api = client(server, server.tenant.keys.test.secret);
      const created = await api.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), name: 'Traced', currency: 'USD', balance: 100 });
      assert.equal(created.status, 201, created.text);
      const patched = await api.patch(`/billing/accounts/${created.body.id}`, { balance: 250 });
      assert.equal(patched.status, 200, patched.text);
      const org = await orgApiOf(server);
      const account = await org.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' });
      const accountId = account.body.account.accountId as string;
      assert.equal((await org.post(`/v1/accounts/${accountId}/transactions`, { amount: usd(5), topup: { reference: 'T-1', paymentType: 'BACS' } })).status, 200);
      const updates = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SqliteTraceLine)
        .filter((line) => /^update "(accounts|org_accounts)"/.test(line.sql));
      const of = (table: string, id: string) => updates.filter((line) => line.sql.startsWith(`update "${table}"`) && line.params.includes(id));
      assert.deepEqual(of('accounts', created.body.id).map((line) => line.sql), ['update "accounts" set "balance" = ?, "updated_at" = ? where "tenant_id" = ? and "mode" = ? and "id" = ?']);
      assert.deepEqual(of('org_accounts', accountId).map((line) => line.sql), ['update "org_accounts" set "balance" = ?, "updated_at" = ? where "tenant_id" = ? and "mode" = ? and "id" = ?']);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const kind of kinds) {
    test(`a row changed twice in turn keeps every column it was given (${kind})`, async () => {
      const server = await build(kind);
      try {
        const api = client(server, server.tenant.keys.test.secret);
        const reference = uniqueRef('ACC');
        const created = await api.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: reference, name: 'First', currency: 'USD', balance: 100, metadata: { plan: 'basic' } });
        assert.equal(created.status, 201, created.text);
        const id = created.body.id as string;
        assert.equal((await api.patch(`/billing/accounts/${id}`, { balance: 250 })).status, 200);
        assert.equal((await api.patch(`/billing/accounts/${id}`, { name: 'Second', metadata: { plan: 'premium' } })).status, 200);
        assert.equal((await api.patch(`/billing/accounts/${id}`, { name: null, balance: 75 })).status, 200);
        const read = await api.get(`/billing/accounts/${id}`);
        assert.equal(read.status, 200, read.text);
        assert.equal(read.body.name, null);
        assert.equal(read.body.balance, 75);
        assert.equal(read.body.currency, 'USD');
        assert.equal(read.body.external_reference, reference);
        assert.deepEqual(read.body.metadata, { plan: 'premium' });
      } finally {
        await server.close();
      }
    });
  }
});
