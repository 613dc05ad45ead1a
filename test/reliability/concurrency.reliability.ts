import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LedgerEntry, Scope } from '../../src/ledger/model.js';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { client, type ApiResponse } from '../support/http.js';
import { build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { assertProblem } from './harness.js';
import { inMinorUnits, ledgerSumInMinorUnits } from '../support/ledger.js';

// SPEC §2 "Idempotency" and "Ledger", §6 "Reliability": 1,000 concurrent requests with one
// Idempotency-Key give one effect; concurrent balance changes serialize, and every stored
// balance equals the sum of its chained ledger entries. On a real listening server, both stores.

const SAME_KEY_REQUESTS = 1000;
const SAME_KEY_DIFFERENT_BODIES = 200;
const PATCHES_PER_HOLDER = 200;
const TEST_TIMEOUT = { timeout: 120_000 };

/** The server's store as opened (runtime.ts opens a KyselyStore): rows are counted through it. */
const storeOf = (server: TestServer) => server.services.store as KyselyStore;

type Api = ReturnType<typeof client>;

function statusesOf(responses: ApiResponse[]): string {
  const counts = new Map<number, number>();
  for (const r of responses) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n}×${status}`).join(', ');
}

function assertNo5xx(responses: ApiResponse[]): void {
  assert.deepEqual(
    responses.filter((r) => r.status >= 500).slice(0, 5).map((r) => `${r.status} ${r.text}`),
    [],
    `no concurrent request answers 5xx (${statusesOf(responses)})`,
  );
}

/** Oldest first, each entry's balance_after is the previous one's plus its amount, and sequences are 1..n. */
function assertChains(entries: LedgerEntry[], finalBalance: bigint): void {
  let running = 0n;
  entries.forEach((e, i) => {
    assert.equal(e.sequence, i + 1, `entry ${i} (oldest first) has sequence ${i + 1}`);
    running += e.amount;
    assert.equal(e.balanceAfter, running, `entry ${i} (oldest first): balance_after = previous balance_after + amount`);
  });
  assert.equal(running, finalBalance, 'the last balance_after is the stored balance');
}

/** N distinct balances, none equal to `initial`, shuffled. */
function distinctBalances(n: number, initial: number): number[] {
  const values = Array.from({ length: n + 1 }, (_, i) => (i + 1) * 7919 - 600_000).filter((v) => v !== initial).slice(0, n);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

for (const kind of await storeKinds()) {
  describe(`concurrency under load (${kind})`, () => {
    let server: TestServer;

    before(async () => {
      // Listening: the races run over concurrent connections, as clients make them.
      server = await build(kind, { listen: true });
    });
    after(() => server.close());

    /** A tenant of its own per test, so that row counts are exact. */
    async function freshTenant(name: string): Promise<{ tenant: CreatedTenant; api: Api; scope: Scope }> {
      const tenant = await server.createTenant(name);
      return { tenant, api: client(server.baseUrl, tenant.keys.test.secret), scope: { tenantId: tenant.tenant.id, mode: 'test' } };
    }

    /** Rows the tenant owns, per table, read straight from the store. */
    async function rowCounts(tenantId: string) {
      const db = storeOf(server).db;
      const count = async (table: 'customers' | 'accounts' | 'ledger_entries' | 'events' | 'idempotency_keys') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);
      return {
        customers: await count('customers'),
        accounts: await count('accounts'),
        ledger_entries: await count('ledger_entries'),
        events: await count('events'),
        idempotency_keys: await count('idempotency_keys'),
      };
    }

    async function ledgerOf(scope: Scope, holderId: string): Promise<LedgerEntry[]> {
      const page = await server.services.store.reader.ledger.list(scope, holderId, { limit: 10_000 });
      assert.equal(page.hasMore, false);
      return [...page.items].reverse().map(inMinorUnits);
    }

    test(`${SAME_KEY_REQUESTS} concurrent creates with one Idempotency-Key and one body have exactly one effect: one account, one inline customer, one ledger entry, two events`, TEST_TIMEOUT, async () => {
      const { tenant, api, scope } = await freshTenant('same-key');
      const key = `same-${randomUUID()}`;
      const ref = `ACC-${randomUUID().slice(0, 8)}`;
      const body = { customer: { external_reference: `CUS-${randomUUID().slice(0, 8)}`, name: 'Inline' }, external_reference: ref, currency: 'ZAR', balance: 4321 };

      const responses = await Promise.all(Array.from({ length: SAME_KEY_REQUESTS }, () => api.post('/billing/accounts', body, { idempotencyKey: key })));

      assertNo5xx(responses);
      const created = responses.filter((r) => r.status === 201);
      const conflicts = responses.filter((r) => r.status === 409);
      assert.equal(created.length + conflicts.length, SAME_KEY_REQUESTS, `only 201 (execution or replay) or 409 (in progress): ${statusesOf(responses)}`);
      for (const r of conflicts) {
        assertProblem(r, 409, 'idempotency-conflict', '/billing/accounts');
        assert.match(r.body.detail, /in progress/, 'a same-body conflict can only be "still in progress"');
      }
      const executions = created.filter((r) => r.headers.get('idempotent-replayed') === null);
      assert.equal(executions.length, 1, 'exactly one request executed; every other 201 is a replay');
      for (const r of created) {
        assert.equal(r.text, executions[0]!.text, 'every replay is byte-identical to the execution');
        if (r !== executions[0]) assert.equal(r.headers.get('idempotent-replayed'), 'true');
      }
      const account = executions[0]!.body;

      assert.deepEqual(await rowCounts(tenant.tenant.id), { customers: 1, accounts: 1, ledger_entries: 1, events: 2, idempotency_keys: 1 });
      const listed = await api.get(`/billing/accounts?external_reference=${ref}`);
      assert.deepEqual(listed.body.data.map((a: { id: string }) => a.id), [account.id]);
      assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope, account.id), 4321n);

      const retry = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(retry.status, 201, retry.text);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(retry.text, executions[0]!.text);
      assert.equal((await rowCounts(tenant.tenant.id)).accounts, 1, 'a later retry creates nothing');
    });

    test(`${SAME_KEY_DIFFERENT_BODIES} concurrent creates with one Idempotency-Key and different bodies: one executes, every other answers 409 idempotency-conflict`, TEST_TIMEOUT, async () => {
      const { tenant, api } = await freshTenant('same-key-different-bodies');
      const customer = await api.post('/billing/customers', { external_reference: `CUS-${randomUUID().slice(0, 8)}` });
      assert.equal(customer.status, 201, customer.text);
      const key = `same-${randomUUID()}`;
      const bodies = Array.from({ length: SAME_KEY_DIFFERENT_BODIES }, (_, i) => ({ customer: customer.body.id, external_reference: `ACC-${i}-${randomUUID().slice(0, 8)}`, currency: 'ZAR', balance: i + 1 }));

      const responses = await Promise.all(bodies.map((body) => api.post('/billing/accounts', body, { idempotencyKey: key })));

      assertNo5xx(responses);
      const created = responses.filter((r) => r.status === 201);
      assert.equal(created.length, 1, `exactly one 201: ${statusesOf(responses)}`);
      assert.equal(created[0]!.headers.get('idempotent-replayed'), null);
      const winner = created[0]!.body;
      for (const r of responses.filter((r) => r.status !== 201)) {
        assertProblem(r, 409, 'idempotency-conflict', '/billing/accounts');
        // A conflict with the completed request names what it produced (SPEC §2).
        if (r.body.resource_id !== null) assert.equal(r.body.resource_id, winner.id, r.text);
      }
      assert.deepEqual(await rowCounts(tenant.tenant.id), { customers: 1, accounts: 1, ledger_entries: 1, events: 2, idempotency_keys: 2 });
      const winnerBody = bodies[responses.indexOf(created[0]!)]!;
      assert.equal(winner.external_reference, winnerBody.external_reference, 'the account is the one the executed request asked for');
    });

    test(`${PATCHES_PER_HOLDER} concurrent balance PATCHes of one account and ${PATCHES_PER_HOLDER} of one customer serialize: each balance equals the sum of its chained entries, one entry and one event per change`, TEST_TIMEOUT, async () => {
      const { tenant, api, scope } = await freshTenant('balances');
      const accountInitial = 10_000;
      const customerInitial = -2_500;
      const customer = await api.post('/billing/customers', { external_reference: `CUS-${randomUUID().slice(0, 8)}`, currency: 'JPY', balance: customerInitial });
      assert.equal(customer.status, 201, customer.text);
      const account = await api.post('/billing/accounts', { customer: customer.body.id, external_reference: `ACC-${randomUUID().slice(0, 8)}`, currency: 'ZAR', balance: accountInitial });
      assert.equal(account.status, 201, account.text);
      const accountId: string = account.body.id;
      const customerId: string = customer.body.id;

      // Every other PATCH carries an Idempotency-Key (retried below).
      const changes = [
        ...distinctBalances(PATCHES_PER_HOLDER, accountInitial).map((balance, i) => ({ path: `/billing/accounts/${accountId}`, body: { balance, currency: 'ZAR' }, key: i % 2 === 0 ? `patch-${randomUUID()}` : null })),
        ...distinctBalances(PATCHES_PER_HOLDER, customerInitial).map((balance, i) => ({ path: `/billing/customers/${customerId}`, body: { balance, currency: 'JPY' }, key: i % 2 === 0 ? `patch-${randomUUID()}` : null })),
      ].sort(() => Math.random() - 0.5);

      const responses = await Promise.all(changes.map((c) => api.patch(c.path, c.body, { idempotencyKey: c.key })));

      assertNo5xx(responses);
      assert.deepEqual(responses.filter((r) => r.status !== 200).slice(0, 5).map((r) => `${r.status} ${r.text}`), [], `every PATCH answers 200 (${statusesOf(responses)})`);
      responses.forEach((r, i) => assert.equal(r.body.balance, changes[i]!.body.balance, 'each PATCH answers the balance it set'));

      for (const [holderId, path, initial] of [[accountId, `/billing/accounts/${accountId}`, accountInitial], [customerId, `/billing/customers/${customerId}`, customerInitial]] as const) {
        const current = await api.get(path);
        assert.equal(current.status, 200, current.text);
        const balance = BigInt(current.body.balance);
        const entries = await ledgerOf(scope, holderId);
        assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope, holderId), balance, `${path}: the stored balance equals the sum of its entries`);
        assert.equal(entries.length, PATCHES_PER_HOLDER + 1, `${path}: the initial entry plus one adjustment per PATCH`);
        assert.equal(entries[0]!.kind, 'initial');
        assert.equal(entries[0]!.amount, BigInt(initial));
        assert.ok(entries.slice(1).every((e) => e.kind === 'adjustment'));
        assertChains(entries, balance);
        const set = changes.filter((c) => c.path === path).map((c) => c.body.balance).sort((a, b) => a - b);
        assert.deepEqual(entries.slice(1).map((e) => Number(e.balanceAfter)).sort((a, b) => a - b), set, `${path}: every PATCH left exactly one entry ending at the balance it set`);
      }

      // One event per change, and each balance_changed event carries exactly the entry its change wrote.
      const events = await storeOf(server).db.selectFrom('events').select(['type', 'data']).where('tenant_id', '=', tenant.tenant.id).execute();
      const countOf = (type: string) => events.filter((e) => e.type === type).length;
      assert.equal(countOf('billing.account.updated'), PATCHES_PER_HOLDER);
      assert.equal(countOf('billing.customer.updated'), PATCHES_PER_HOLDER);
      const reported = events.filter((e) => e.type === 'billing.account.balance_changed').flatMap((e) => (JSON.parse(e.data) as { ledger_entries: { id: string }[] }).ledger_entries.map((l) => l.id));
      const adjustments = (await ledgerOf(scope, accountId)).slice(1).map((e) => e.id);
      assert.deepEqual(reported.sort(), adjustments.sort(), 'the balance_changed events report each adjustment exactly once');

      // Retrying every keyed PATCH at once replays its first answer and writes nothing.
      const before = await rowCounts(tenant.tenant.id);
      const keyed = changes.map((c, i) => ({ c, first: responses[i]! })).filter(({ c }) => c.key !== null);
      const retries = await Promise.all(keyed.map(({ c }) => api.patch(c.path, c.body, { idempotencyKey: c.key })));
      retries.forEach((r, i) => {
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('idempotent-replayed'), 'true');
        assert.equal(r.text, keyed[i]!.first.text, 'the replay is the first answer');
      });
      assert.deepEqual(await rowCounts(tenant.tenant.id), before, 'retried PATCHes change nothing');
    });
  });
}
