import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { chainHash } from '../../src/ledger/entry-hash.js';
import type { Database, LedgerEntryTable } from '../../src/store/database.js';
import { openDatabase, type OpenDatabase } from '../../src/store/dialects.js';
import { encodedFieldsOfRow } from '../../src/store/rows.js';
import { call } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { runCli, seedTenant, type SeededTenant } from './ledger-cli.js';

// SPEC §8: `subledger verify` passes on a ledger written through the APIs, and names what is
// broken (exit 1) after each kind of tampering done with SQL straight in the database. Each
// tampering test has a tenant of its own, checked with --tenant.

const TIMEOUT = { timeout: 120_000 };

for (const kind of await storeKinds()) {
  describe(`subledger verify (${kind})`, TIMEOUT, () => {
    let server: TestApp;
    let opened: OpenDatabase;
    let db: Kysely<Database>;
    before(async () => {
      server = await build(kind);
      opened = openDatabase({ url: server.database.url });
      db = opened.db;
    });
    after(async () => {
      await opened.close();
      await server.close();
    });

    const verify = (...args: string[]) => runCli(['verify', ...args], server.database.url);
    const chainOf = (tenantId: string, holderId: string) =>
      db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', tenantId).where('holder_id', '=', holderId).where('mode', '=', 'test').orderBy('sequence').execute();
    const setEntry = (e: LedgerEntryTable, values: Partial<LedgerEntryTable>) =>
      db.updateTable('ledger_entries').set(values).where('tenant_id', '=', e.tenant_id).where('id', '=', e.id).where('holder_id', '=', e.holder_id).where('mode', '=', e.mode).execute();
    /** Exit 1, one summary line last with the count of problems, and every `expected` text among the problems. */
    const assertFails = (result: { code: number | null; stdout: string; stderr: string }, ...expected: RegExp[]) => {
      assert.equal(result.code, 1, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
      const lines = result.stdout.trimEnd().split('\n');
      assert.match(lines.at(-1)!, /^verified: \d+ entries on \d+ balances, [1-9]\d* problems$/);
      assert.ok(lines.slice(0, -1).every((line) => line.startsWith('problem: ')), result.stdout);
      for (const pattern of expected) assert.match(result.stdout, pattern);
    };

    test('a ledger written through the three APIs verifies: one summary line, exit 0, nothing on stderr', async () => {
      const seeded = [await seedTenant(server), await seedTenant(server, 'another')];
      const all = await verify();
      const entries = Number((await db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number | bigint | string>().as('n')).executeTakeFirstOrThrow()).n);
      const balances = Number((await db.selectFrom('balances').select((eb) => eb.fn.countAll<number | bigint | string>().as('n')).executeTakeFirstOrThrow()).n);
      assert.equal(all.code, 0, all.stdout + all.stderr);
      assert.equal(all.stdout, `verified: ${entries} entries on ${balances} balances, 0 problems\n`);
      assert.equal(all.stderr, '', 'no progress when stderr is not a terminal');
      const one = await verify('--tenant', seeded[0]!.tenantId, '--mode', 'test');
      assert.equal(one.code, 0, one.stdout);
      assert.match(one.stdout, /^verified: 14 entries on 5 balances, 0 problems\n$/);
      const checked = await call(server, 'POST', `/admin/v1/tenants/${seeded[0]!.tenantId}/verify?mode=test`, undefined, { key: ADMIN_TOKEN });
      assert.equal(checked.status, 200, checked.text);
      assert.deepEqual(checked.body, { tenant_id: seeded[0]!.tenantId, ok: true, entries: 14, balances: 5, problem_count: 0, problems: [], summary: 'verified: 14 entries on 5 balances, 0 problems' });
      assert.equal((await call(server, 'POST', '/admin/v1/tenants/ten_nobody/verify', undefined, { key: ADMIN_TOKEN })).status, 404);
      const live = await verify('--tenant', seeded[0]!.tenantId, '--mode', 'live');
      assert.equal(live.stdout, 'verified: 0 entries on 0 balances, 0 problems\n');
      // Every two-holder posting names its other side, and every entry has its hash.
      const transfers = await db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', seeded[0]!.tenantId).where('kind', '=', 'transfer').execute();
      assert.equal(transfers.length, 4);
      for (const e of transfers) assert.equal(transfers.find((other) => other.id === e.contra_id)?.contra_id, e.id);
      const unknown = await verify('--tenant', 'ten_nobody');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /ten_nobody/);
    });

    test('an altered amount is named by its entry (its hash and its balance both fail)', async () => {
      const seeded = await seedTenant(server);
      const [, second] = await chainOf(seeded.tenantId, seeded.billingAccountId);
      await setEntry(second!, { amount: (BigInt(second!.amount) + 1n).toString() });
      assertFails(await verify('--tenant', seeded.tenantId), new RegExp(`problem: entry ${second!.id} \\(tenant ${seeded.tenantId}, test\\): hash does not match`), new RegExp(`entry ${second!.id} .*balance_after`));
      const others = await verify('--tenant', (await seedTenant(server, 'untouched')).tenantId);
      assert.equal(others.code, 0, 'another tenant still verifies');
      // The admin API runs the same check for one tenant.
      const checked = await call(server, 'POST', `/admin/v1/tenants/${seeded.tenantId}/verify`, undefined, { key: ADMIN_TOKEN });
      assert.equal(checked.status, 200, checked.text);
      assert.equal(checked.body.ok, false);
      assert.equal(checked.body.problem_count, checked.body.problems.length);
      assert.ok(checked.body.problems.some((p: { subject: string; what: string }) => p.subject === `entry ${second!.id}` && /hash does not match/.test(p.what)), checked.text);
      assert.match(checked.body.summary, /^verified: 14 entries on 5 balances, [1-9]\d* problems$/);
    });

    test('a deleted entry is named by the entry after the gap, and its balance no longer sums', async () => {
      const seeded: SeededTenant = await seedTenant(server);
      const [, middle, last] = await chainOf(seeded.tenantId, seeded.toppedUp);
      await db.deleteFrom('ledger_entries').where('tenant_id', '=', seeded.tenantId).where('holder_id', '=', seeded.toppedUp).where('id', '=', middle!.id).execute();
      assertFails(
        await verify('--tenant', seeded.tenantId, '--mode', 'test'),
        new RegExp(`entry ${last!.id} .*: sequence 3 follows 1`),
        new RegExp(`entry ${last!.id} .*: hash does not match`),
        new RegExp(`balance ${seeded.toppedUp} IDR .*is not the sum of its entries`),
      );
    });

    test('a reordered sequence is named by the entries it moved', async () => {
      const seeded = await seedTenant(server);
      const [, second, third] = await chainOf(seeded.tenantId, seeded.toppedUp);
      // Swapped through a free number: (holder, currency, sequence) is the primary key.
      await setEntry(second!, { sequence: 1000 });
      await setEntry(third!, { sequence: 2 });
      await setEntry(second!, { sequence: 3 });
      assertFails(await verify('--tenant', seeded.tenantId), new RegExp(`entry ${third!.id} .*: hash does not match`), new RegExp(`entry ${second!.id} .*: hash does not match`));
    });

    test('a balance that no longer equals its entries is named', async () => {
      const seeded = await seedTenant(server);
      const balance = db.updateTable('balances').where('tenant_id', '=', seeded.tenantId).where('holder_id', '=', seeded.orgAccountId).where('mode', '=', 'test');
      const row = await db.selectFrom('balances').selectAll().where('tenant_id', '=', seeded.tenantId).where('holder_id', '=', seeded.orgAccountId).executeTakeFirstOrThrow();
      await balance.set({ amount: (BigInt(row.amount) * 2n).toString() }).execute();
      assertFails(
        await verify('--tenant', seeded.tenantId),
        new RegExp(`problem: balance ${seeded.orgAccountId} USD \\(tenant ${seeded.tenantId}, test\\): amount \\d+ is not the sum of its entries, ${row.amount}`),
        /currency USD .*holders' balances sum to/,
      );
    });

    test('a posting whose sides do not sum to zero is named, even with its chain and balance rewritten to match', async () => {
      const seeded = await seedTenant(server);
      // The receiver's one entry: the credit side of a transfer. A careful forger raises it by
      // one atom and recomputes its balance_after, its hash and the balance row (SHA-256 has no key).
      const [credit] = await chainOf(seeded.tenantId, seeded.receiver);
      assert.equal(credit!.kind, 'transfer');
      const amount = (BigInt(credit!.amount) + 1n).toString();
      const forged = { ...credit!, amount, balance_after: amount };
      const hash = chainHash('0'.repeat(64), encodedFieldsOfRow(forged));
      await setEntry(credit!, { amount, balance_after: amount, hash });
      await db.updateTable('balances').set({ amount, hash }).where('tenant_id', '=', seeded.tenantId).where('holder_id', '=', seeded.receiver).where('mode', '=', 'test').execute();
      const result = await verify('--tenant', seeded.tenantId);
      assertFails(result, new RegExp(`entry ${credit!.id} .*: its posting does not sum to zero`), new RegExp(`entry ${credit!.contra_id} .*: its posting does not sum to zero`));
      assert.doesNotMatch(result.stdout, /hash does not match|is not the sum/, 'the chain itself is consistent: only the posting check sees it');
      // A posting's side deleted outright: its other side names it as missing.
      await db.deleteFrom('ledger_entries').where('tenant_id', '=', seeded.tenantId).where('id', '=', credit!.id).execute();
      assertFails(await verify('--tenant', seeded.tenantId), new RegExp(`entry ${credit!.contra_id} .*: its posting's other side, entry ${credit!.id} on ${seeded.receiver}, is missing`));
    });

    test('entries whose balance row is gone are named by their balance', async () => {
      const seeded = await seedTenant(server);
      await sql`delete from balances where tenant_id = ${seeded.tenantId} and holder_id = ${seeded.toppedUp}`.execute(db);
      assertFails(await verify('--tenant', seeded.tenantId), new RegExp(`balance ${seeded.toppedUp} IDR .*: is missing, but 4 entries are posted to it`));
    });
  });
}
