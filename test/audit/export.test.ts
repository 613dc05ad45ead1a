import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chainHash, ZERO_HASH, type EncodedEntry } from '../../src/ledger/entry-hash.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { runCli, seedTenant, type SeededTenant } from './ledger-cli.js';

// SPEC §8 "Export for reconciliation": `subledger export entries` writes a tenant's entries of
// one mode, oldest first, with their hashes, as NDJSON or CSV; a window by creation time.

const TIMEOUT = { timeout: 120_000 };

for (const kind of await storeKinds()) {
  describe(`subledger export entries (${kind})`, TIMEOUT, () => {
    let server: TestApp;
    let seeded: SeededTenant;
    before(async () => {
      server = await build(kind);
      seeded = await seedTenant(server);
      await seedTenant(server, 'someone else');
    });
    after(() => server.close());

    const exportEntries = (...args: string[]) => runCli(['export', 'entries', '--tenant', seeded.tenantId, ...args], server.database.url);

    test('NDJSON: every entry of the tenant and mode, oldest first, each with a hash another program can recompute', async () => {
      const result = await exportEntries('--mode', 'test');
      assert.equal(result.code, 0, result.stderr);
      const entries = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, string | null>);
      assert.equal(entries.length, 14);
      assert.ok(entries.every((e) => e.tenant_id === seeded.tenantId && e.mode === 'test'));
      const times = entries.map((e) => e.created_at!);
      assert.deepEqual(times, [...times].sort(), 'oldest first');
      assert.deepEqual(Object.keys(entries[0]!), ['tenant_id', 'mode', 'holder_id', 'currency', 'sequence', 'id', 'kind', 'amount', 'balance_after', 'counterparty', 'contra_id', 'reference', 'request_id', 'idempotency_key', 'actor', 'created_at', 'hash']);
      // Each balance's chain, recomputed from the export alone.
      const heads = new Map<string, string>();
      for (const e of entries) {
        const chain = `${e.holder_id}/${e.currency}`;
        const { hash, ...fields } = e;
        const expected = chainHash(heads.get(chain) ?? ZERO_HASH, fields as EncodedEntry);
        assert.equal(hash, expected, `entry ${e.id}`);
        heads.set(chain, hash!);
      }
      const org = entries.filter((e) => e.holder_id === seeded.orgAccountId).map((e) => e.amount);
      assert.deepEqual(org, ['100000000000', '-30500000000'], 'amounts as exact atoms (10^-9 USD)');
      const live = await exportEntries('--mode', 'live');
      assert.equal(live.code, 0);
      assert.equal(live.stdout, '');
    });

    test('CSV with a header, and a window: --from inclusive, --to exclusive', async () => {
      const all = (await exportEntries('--mode', 'test')).stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
      const csv = await exportEntries('--mode', 'test', '--format', 'csv');
      assert.equal(csv.code, 0, csv.stderr);
      const lines = csv.stdout.split('\r\n');
      assert.equal(lines.at(-1), '', 'every record ends in CRLF');
      assert.equal(lines[0], 'tenant_id,mode,holder_id,currency,sequence,id,kind,amount,balance_after,counterparty,contra_id,reference,request_id,idempotency_key,actor,created_at,hash');
      assert.deepEqual(lines.slice(1, -1).map((line) => line.split(',')[5]), all.map((e) => e.id));
      assert.deepEqual(lines.slice(1, -1).map((line) => line.split(',').at(-1)), all.map((e) => e.hash));

      const from = all[4]!.created_at;
      const to = all[9]!.created_at;
      const windowed = await exportEntries('--mode', 'test', '--from', from, '--to', to);
      const inWindow = all.filter((e) => e.created_at >= from && e.created_at < to).map((e) => e.id);
      assert.ok(inWindow.length > 0 && inWindow.length < all.length);
      assert.deepEqual(windowed.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id), inWindow);

      const bad = await exportEntries('--mode', 'test', '--from', 'last tuesday');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--from.*ISO 8601/);
      const noMode = await exportEntries();
      assert.equal(noMode.code, 1);
      assert.match(noMode.stderr, /--mode/);
    });
  });
}
