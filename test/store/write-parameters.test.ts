import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineInsert, defineUpdate, statementOf } from '../../src/store/statements.js';

// A write's values are read by a function generated for its definition (parameterReaderOf,
// issue 25): each definition reads its own columns, in its compiled statement's order.

const balanceRow = { tenant_id: 'ten_1', mode: 'test', holder_id: 'bacc_1', currency: 'USD', amount: '100', sequence: 1n, hash: 'h1', created_at: 't0', updated_at: 't0' };

describe("a write's parameters", () => {
  test("come in the compiled statement's column order, whatever order the row's properties were made in, for inserts and updates", () => {
    const insertBalance = defineInsert('balances');
    const insert = statementOf(insertBalance.write(balanceRow), 'sqlite');
    assert.equal(insert.sql, 'insert into "balances" ("tenant_id", "mode", "holder_id", "currency", "amount", "sequence", "hash", "created_at", "updated_at") values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    assert.deepEqual(insert.parameters, ['ten_1', 'test', 'bacc_1', 'USD', '100', 1n, 'h1', 't0', 't0']);
    // A second row of the same definition, its properties created in another order: still the statement's order.
    const reordered = { updated_at: 't2', created_at: 't1', hash: 'h2', sequence: 2n, amount: '5', currency: 'EUR', holder_id: 'bacc_2', mode: 'live', tenant_id: 'ten_2' };
    assert.deepEqual(statementOf(insertBalance.write(reordered), 'sqlite').parameters, ['ten_2', 'live', 'bacc_2', 'EUR', '5', 2n, 'h2', 't1', 't2']);

    const updateBalance = defineUpdate('balances', { set: ['amount', 'updated_at'], key: ['tenant_id', 'mode', 'holder_id', 'currency'] });
    const update = statementOf(updateBalance.write({ ...balanceRow, amount: '7', updated_at: 't3' }), 'postgres');
    assert.equal(update.sql, 'update "balances" set "amount" = $1, "updated_at" = $2 where "tenant_id" = $3 and "mode" = $4 and "holder_id" = $5 and "currency" = $6');
    assert.deepEqual(update.parameters, ['7', 't3', 'ten_1', 'test', 'bacc_1', 'USD']);
  });

  test('null is a value; a missing one throws, naming the definition and the column', () => {
    const insertBalance = defineInsert('balances');
    assert.deepEqual(statementOf(insertBalance.write({ ...balanceRow, hash: null as unknown as string }), 'sqlite').parameters[6], null);
    const { hash: _omitted, ...withoutHash } = balanceRow;
    assert.throws(() => statementOf(insertBalance.write(withoutHash as typeof balanceRow), 'sqlite'), /subledger_insert_balances_\d+: no value for hash/);
  });
});
