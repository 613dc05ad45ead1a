import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nowIso } from '../../src/ledger/clock.js';
import { createCustomer } from '../../src/surfaces/billing/domain/customers.js';
import { EventCatalog } from '../../src/ledger/events.js';
import { LedgerPipeline } from '../../src/ledger/pipeline.js';
import type { CommandContext, Scope } from '../../src/ledger/model.js';
import { createTenant } from '../../src/tenancy/tenants.js';
import { eventCatalog, openStore } from '../../src/runtime.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

// Events belong to the surface that owns the object, whoever made the change (SPEC §2 "Events").

for (const kind of await storeKinds()) {
  describe(`event publication (${kind})`, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let scope: Scope;

    before(async () => {
      database = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 4 });
      const { tenant } = await store.transaction((tx) => createTenant(tx, { name: 'events' }, nowIso()));
      scope = { tenantId: tenant.id, mode: 'test' };
    });

    after(async () => {
      await store.close();
      await database.drop();
    });

    const ctx = (actor: string): CommandContext => ({ scope, actor, requestId: 'req_x', idempotencyKey: null, now: nowIso() });
    /** The ledger's pipeline with `catalog`'s publications (none: events keep their domain kind). */
    const pipeline = (catalog: EventCatalog | undefined) => new LedgerPipeline(store, catalog);

    test('a change made outside the owning surface (an operator, a CLI) goes out as the owner publishes it', async () => {
      const { result: customer } = await pipeline(eventCatalog()).execute(ctx('operator'), (tx, c) => createCustomer(tx, c, { externalReference: `ev-${Date.now()}` }));
      const [event] = await store.reader.events.listRecent(scope, 1);
      assert.equal(event!.type, 'billing.customer.created');
      assert.equal(event!.source, 'billing', 'delivered in Moment\'s envelope');
      assert.equal((event!.data as { id: string; balance: unknown }).id, customer.id);
      assert.equal((event!.data as { balance: unknown }).balance, null, "Moment's JSON: absent values are null");
    });

    test('another surface can publish a kind instead, and without any publisher the domain kind is stored as a plain snapshot', async () => {
      const catalog = new EventCatalog().publish('customer.created', { surface: 'other', type: 'other.payer.created', present: (c) => ({ payer: c.externalReference }) });
      await pipeline(catalog).execute(ctx('key_x'), (tx, c) => createCustomer(tx, c, { externalReference: 'published-by-other' }));
      await pipeline(undefined).execute(ctx('key_x'), (tx, c) => createCustomer(tx, c, { externalReference: 'unpublished' }));
      const [plain, other] = await store.reader.events.listRecent(scope, 2);
      assert.deepEqual([other!.type, other!.source, other!.data], ['other.payer.created', 'other', { payer: 'published-by-other' }]);
      assert.deepEqual([plain!.type, plain!.source], ['customer.created', 'core']);
    });

    test('two surfaces cannot claim one kind of event', () => {
      const catalog = eventCatalog();
      assert.throws(() => catalog.publish('account.created', { surface: 'other', type: 'x', present: () => ({}) }), /already has a publisher \(billing\)/);
      assert.ok(catalog.wireTypes().includes('billing.account.balance_changed'));
    });
  });
}
