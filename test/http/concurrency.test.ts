import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LedgerEntry, Scope } from '../../src/ledger/model.js';
import { client, uniqueRef, type ApiResponse } from '../support/http.js';
import { build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { inMinorUnits, ledgerSumInMinorUnits } from '../support/ledger.js';

// SPEC §2: two concurrent requests with one key never give two effects; concurrent changes
// to one balance serialize, and the stored balance always equals the sum of its entries.

const N = 50;

interface WireLedgerEntry {
  id: string;
  account_id: string;
  kind: 'initial' | 'adjustment';
  amount: number;
  balance_after: number;
  currency: string;
  created_at: string;
}

/** N distinct balances, none equal to `initial`, in a shuffled order. */
function distinctBalances(initial: number): number[] {
  const values = Array.from({ length: N }, (_, i) => (i + 1) * 137 - 2500).filter((v) => v !== initial);
  assert.equal(new Set(values).size, N);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

function assertNo5xx(responses: ApiResponse[]): void {
  const failures = responses.filter((r) => r.status >= 500);
  assert.deepEqual(
    failures.map((r) => `${r.status} ${r.text}`),
    [],
    'no concurrent request may answer 5xx',
  );
}

/** Oldest first: each entry's balance_after is the previous one's plus its amount. */
function assertChains(entries: { amount: bigint; balanceAfter: bigint }[], finalBalance: bigint): void {
  let running = 0n;
  entries.forEach((e, i) => {
    running += e.amount;
    assert.equal(e.balanceAfter, running, `entry ${i} (oldest first) must have balance_after = previous balance_after + amount`);
  });
  assert.equal(running, finalBalance, 'the last balance_after is the stored balance');
}

for (const kind of await storeKinds()) {
  describe(`concurrent writes (${kind})`, () => {
    let server: TestServer;
    let api: ReturnType<typeof client>;
    let scope: Scope;

    before(async () => {
      // Listening: the races run over concurrent connections, as clients make them.
      server = await build(kind, { listen: true });
      api = client(server.baseUrl, server.tenant.keys.test.secret);
      scope = { tenantId: server.tenant.tenant.id, mode: 'test' };
    });
    after(() => server.close());

    const createCustomer = async (body: Record<string, unknown> = {}): Promise<string> => {
      const created = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), ...body });
      assert.equal(created.status, 201, created.text);
      return created.body.id;
    };

    const accountsWithReference = async (ref: string): Promise<string[]> => {
      const list = await api.get(`/billing/accounts?external_reference=${ref}&limit=100`);
      assert.equal(list.status, 200, list.text);
      return list.body.data.map((a: { id: string }) => a.id);
    };

    /** Every ledger entry of the account through the API, walking pages of 100; returned oldest first. */
    const ledgerOf = async (accountId: string): Promise<WireLedgerEntry[]> => {
      const newestFirst: WireLedgerEntry[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await api.get(`/billing/accounts/${accountId}/ledger_entries?limit=100${cursor ? `&starting_after=${cursor}` : ''}`);
        assert.equal(page.status, 200, page.text);
        newestFirst.push(...page.body.data);
        if (!page.body.has_more) break;
        assert.ok(page.body.data.length > 0);
        cursor = page.body.data.at(-1).id;
      }
      assert.equal(new Set(newestFirst.map((e) => e.id)).size, newestFirst.length, 'pages do not repeat entries');
      return newestFirst.reverse();
    };

    test(`${N} concurrent creates with one Idempotency-Key and one body create exactly one account`, async () => {
      const customer = await createCustomer();
      const ref = uniqueRef('ACC');
      const key = `conc-${randomUUID()}`;
      const body = { customer, external_reference: ref, currency: 'ZAR', balance: 1234 };

      const responses = await Promise.all(Array.from({ length: N }, () => api.post('/billing/accounts', body, { idempotencyKey: key })));

      assertNo5xx(responses);
      const created = responses.filter((r) => r.status === 201);
      const inProgress = responses.filter((r) => r.status === 409);
      assert.equal(created.length + inProgress.length, N, `only 201 or 409: ${responses.map((r) => r.status).join(',')}`);
      for (const r of inProgress) {
        assert.match(r.body.type, /#idempotency-conflict$/, r.text);
      }
      assert.ok(created.length >= 1, 'one request executed');
      const ids = new Set(created.map((r) => r.body.id));
      assert.equal(ids.size, 1, 'every 201 names the same account');
      const [id] = ids;
      const fresh = created.filter((r) => r.headers.get('idempotent-replayed') === null);
      assert.equal(fresh.length, 1, 'exactly one answer is the execution; every other 201 is a replay');
      if (created.length === N) {
        assert.equal(created.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, N - 1);
      }
      for (const r of created) assert.equal(r.text, fresh[0]!.text, 'every replay is byte-identical to the execution');

      assert.deepEqual(await accountsWithReference(ref), [id]);
      assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope, id!), 1234n);
      assert.equal((await ledgerOf(id!)).length, 1, 'one initial entry, not one per request');
    });

    test(`${N} concurrent creates with different keys and one external_reference give one 201 and ${N - 1} conflicts`, async () => {
      const customer = await createCustomer();
      const ref = uniqueRef('ACC');
      const body = { customer, external_reference: ref, currency: 'ZAR', balance: 500 };

      const responses = await Promise.all(Array.from({ length: N }, () => api.post('/billing/accounts', body, { idempotencyKey: `conc-${randomUUID()}` })));

      assertNo5xx(responses);
      const created = responses.filter((r) => r.status === 201);
      const conflicts = responses.filter((r) => r.status === 409);
      assert.equal(created.length, 1, `exactly one 201: ${responses.map((r) => r.status).join(',')}`);
      assert.equal(conflicts.length, N - 1);
      for (const r of conflicts) assert.match(r.body.type, /#conflict$/, r.text);
      assert.deepEqual(await accountsWithReference(ref), [created[0]!.body.id]);
      assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope, created[0]!.body.id), 500n);
    });

    test(`${N} concurrent balance PATCHes of one account serialize: balance = sum of entries, one entry each, balance_after chains`, async () => {
      const initial = 1000;
      const created = await api.post('/billing/accounts', { customer: await createCustomer(), external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: initial });
      assert.equal(created.status, 201, created.text);
      const id: string = created.body.id;
      const balances = distinctBalances(initial);

      const responses = await Promise.all(balances.map((balance) => api.patch(`/billing/accounts/${id}`, { balance, currency: 'ZAR' })));

      assertNo5xx(responses);
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(N).fill(200),
        responses.filter((r) => r.status !== 200).map((r) => r.text).join('\n'),
      );
      responses.forEach((r, i) => assert.equal(r.body.balance, balances[i], 'each PATCH answers the balance it set'));

      const account = await api.get(`/billing/accounts/${id}`);
      assert.equal(account.status, 200, account.text);
      assert.ok(balances.includes(account.body.balance), 'the final balance is one of the balances set');
      const entries = await ledgerOf(id);
      assert.equal(entries.length, N + 1, 'the initial entry plus one adjustment per PATCH');
      assert.equal(entries[0]!.kind, 'initial');
      assert.ok(entries.slice(1).every((e) => e.kind === 'adjustment' && e.currency === 'ZAR'));
      const sum = entries.reduce((total, e) => total + BigInt(e.amount), 0n);
      assert.equal(sum, BigInt(account.body.balance), 'the stored balance equals the sum of its entries');
      assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope, id), BigInt(account.body.balance));
      assert.deepEqual(
        entries.slice(1).map((e) => e.balance_after).sort((a, b) => a - b),
        [...balances].sort((a, b) => a - b),
        'every PATCH left exactly one entry ending at the balance it set',
      );
      assertChains(
        entries.map((e) => ({ amount: BigInt(e.amount), balanceAfter: BigInt(e.balance_after) })),
        BigInt(account.body.balance),
      );
    });

    test(`${N} concurrent balance PATCHes of one customer serialize: balance = sum of entries, one entry each, balance_after chains`, async () => {
      const initial = -300;
      const id = await createCustomer({ currency: 'ZAR', balance: initial });
      const balances = distinctBalances(initial);

      const responses = await Promise.all(balances.map((balance) => api.patch(`/billing/customers/${id}`, { balance, currency: 'ZAR' })));

      assertNo5xx(responses);
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(N).fill(200),
        responses.filter((r) => r.status !== 200).map((r) => r.text).join('\n'),
      );
      responses.forEach((r, i) => assert.equal(r.body.balance, balances[i], 'each PATCH answers the balance it set'));

      const customer = await api.get(`/billing/customers/${id}`);
      assert.equal(customer.status, 200, customer.text);
      const balance = BigInt(customer.body.balance);
      assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope, id), balance, 'the stored balance equals the sum of its entries');

      const page = await server.services.store.reader.ledger.list(scope, id, { limit: 1000 });
      assert.equal(page.hasMore, false);
      const entries: LedgerEntry[] = [...page.items].reverse().map(inMinorUnits);
      assert.equal(entries.length, N + 1, 'the initial entry plus one adjustment per PATCH');
      assert.equal(entries[0]!.kind, 'initial');
      assert.deepEqual(
        entries.slice(1).map((e) => Number(e.balanceAfter)).sort((a, b) => a - b),
        [...balances].sort((a, b) => a - b),
        'every PATCH left exactly one entry ending at the balance it set',
      );
      assertChains(entries, balance);
    });
  });
}
