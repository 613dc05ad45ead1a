import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, uniqueRef } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

type Api = ReturnType<typeof client>;
interface Listed {
  id: string;
  created_at: string;
}
interface Walk {
  ids: string[];
  items: Listed[];
  pages: number;
}

/** Returns once the wall clock shows a later millisecond, so the next write gets a later timestamp. */
function nextMillisecond(): void {
  const start = new Date().toISOString();
  while (new Date().toISOString() === start) {
    // busy-wait: at most one millisecond
  }
}

const withQuery = (path: string, query: Record<string, string | number | undefined>) => {
  const params = Object.entries(query).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  if (params.length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
};

/**
 * Follows `starting_after` from the first page to the last, checking on the way that every
 * page is a list, that no page exceeds the limit, and that has_more is false on the last page only.
 * `onPage` runs after each page (to insert rows mid-walk).
 */
async function walkForward(api: Api, path: string, limit: number | undefined, onPage?: () => Promise<void>): Promise<Walk> {
  const items: Listed[] = [];
  let cursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const response = await api.get(withQuery(path, { limit, starting_after: cursor }));
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(Object.keys(response.body).sort(), ['data', 'has_more', 'object']);
    assert.equal(response.body.object, 'list');
    const data = response.body.data as Listed[];
    assert.ok(data.length <= (limit ?? 10), `page ${pages} holds at most the limit`);
    items.push(...data);
    if (!response.body.has_more) return { ids: items.map((i) => i.id), items, pages };
    assert.equal(data.length, limit ?? 10, `page ${pages} with has_more is full`);
    cursor = data[data.length - 1].id;
    await onPage?.();
    assert.ok(pages < 500, 'the walk ends');
  }
}

/** Follows `ending_before` towards the newest rows; returns everything seen, newest first. */
async function walkBackward(api: Api, path: string, limit: number | undefined, from: string): Promise<Walk> {
  const items: Listed[] = [];
  let cursor = from;
  for (let pages = 1; ; pages++) {
    const response = await api.get(withQuery(path, { limit, ending_before: cursor }));
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.object, 'list');
    const data = response.body.data as Listed[];
    assert.ok(data.length <= (limit ?? 10));
    items.unshift(...data);
    if (!response.body.has_more) return { ids: items.map((i) => i.id), items, pages };
    assert.equal(data.length, limit ?? 10, `page ${pages} with has_more is full`);
    cursor = data[0].id;
    assert.ok(pages < 500, 'the walk ends');
  }
}

function assertNewestFirst(items: Listed[]): void {
  for (let i = 1; i < items.length; i++) {
    assert.ok(items[i - 1].created_at >= items[i].created_at, `item ${i} is not newer than item ${i - 1}`);
  }
}

function assertExactlyOnce(ids: string[], expected: Iterable<string>): void {
  assert.equal(new Set(ids).size, ids.length, 'no object is listed twice');
  assert.deepEqual([...ids].sort(), [...expected].sort(), 'every object is listed, and nothing else');
}

for (const kind of await storeKinds()) {
  describe(`billing pagination (${kind})`, () => {
    let server: TestApp;
    let api: Api;
    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    async function post(apiOf: Api, path: string, body: Record<string, unknown>) {
      const response = await apiOf.post(path, body);
      assert.equal(response.status, 201, response.text);
      return response.body;
    }

    describe('accounts', () => {
      const ACCOUNT_COUNT = 57;
      // A tenant of its own, so that the full listing is exactly the accounts created here.
      let paged: Api;
      let customerId: string;
      const created = new Set<string>();
      let newestFirst: string[];

      before(async () => {
        const tenant = await server.createTenant('paging');
        paged = client(server, tenant.keys.test.secret);
        customerId = (await post(paged, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const create = async () => created.add((await post(paged, '/billing/accounts', { customer: customerId, external_reference: uniqueRef('ACC') })).id);
        // Bursts of concurrent creates (likely to share a millisecond) between sequential ones.
        while (created.size < ACCOUNT_COUNT) {
          const burst = Math.min(8, ACCOUNT_COUNT - created.size);
          await Promise.all(Array.from({ length: burst }, create));
          if (created.size < ACCOUNT_COUNT) await create();
        }
        const all = await paged.get('/billing/accounts?limit=100');
        assert.equal(all.status, 200, all.text);
        newestFirst = all.body.data.map((a: Listed) => a.id);
      });

      test('a single page of limit 100 holds all 57 accounts newest first with has_more false', async () => {
        const response = await paged.get('/billing/accounts?limit=100');
        assert.equal(response.body.has_more, false);
        assert.equal(response.body.data.length, ACCOUNT_COUNT);
        assertExactlyOnce(newestFirst, created);
        assertNewestFirst(response.body.data);
      });

      test('the default limit is 10', async () => {
        const response = await paged.get('/billing/accounts');
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(response.body.data.map((a: Listed) => a.id), newestFirst.slice(0, 10));
        assert.equal(response.body.has_more, true);
      });

      for (const limit of [1, 7, undefined, 100]) {
        test(`walking forward with starting_after at limit ${limit ?? 'default (10)'} visits every account exactly once, newest first`, async () => {
          const walk = await walkForward(paged, '/billing/accounts', limit);
          assertExactlyOnce(walk.ids, created);
          assertNewestFirst(walk.items);
          assert.deepEqual(walk.ids, newestFirst, 'the order does not depend on the page size');
          assert.equal(walk.pages, Math.ceil(ACCOUNT_COUNT / (limit ?? 10)));
        });
      }

      for (const limit of [1, 7, undefined]) {
        test(`walking backward with ending_before from the oldest at limit ${limit ?? 'default (10)'} returns every newer account exactly once`, async () => {
          const oldest = newestFirst[newestFirst.length - 1];
          const walk = await walkBackward(paged, '/billing/accounts', limit, oldest);
          assertNewestFirst(walk.items);
          assert.deepEqual(walk.ids, newestFirst.slice(0, -1));
          assert.equal(walk.pages, Math.ceil((ACCOUNT_COUNT - 1) / (limit ?? 10)));
        });
      }

      test('a page before the oldest at the limit boundary says has_more exactly when newer accounts remain', async () => {
        const oldest = newestFirst[newestFirst.length - 1];
        const page = await paged.get(`/billing/accounts?limit=${ACCOUNT_COUNT - 1}&ending_before=${oldest}`);
        assert.deepEqual(page.body.data.map((a: Listed) => a.id), newestFirst.slice(0, -1));
        assert.equal(page.body.has_more, false);
        const short = await paged.get(`/billing/accounts?limit=${ACCOUNT_COUNT - 2}&ending_before=${oldest}`);
        assert.deepEqual(short.body.data.map((a: Listed) => a.id), newestFirst.slice(1, -1));
        assert.equal(short.body.has_more, true);
      });

      test('starting_after the oldest account gives an empty last page', async () => {
        const response = await paged.get(`/billing/accounts?starting_after=${newestFirst[newestFirst.length - 1]}`);
        assert.deepEqual(response.body, { object: 'list', data: [], has_more: false });
      });

      test('limit outside 1–100 answers 400 naming limit', async () => {
        for (const limit of ['0', '101', '-1', 'ten']) {
          const response = await paged.get(`/billing/accounts?limit=${limit}`);
          assert.equal(response.status, 400, `limit=${limit}: ${response.text}`);
          assert.match(response.body.type, /#validation-error$/);
          assert.ok(response.body.errors.some((e: { param: string }) => e.param === 'limit'), response.text);
        }
      });

      test('an unknown cursor answers 400 naming it', async () => {
        for (const param of ['starting_after', 'ending_before']) {
          const response = await paged.get(`/billing/accounts?${param}=bacc_DoesNotExist0000000`);
          assert.equal(response.status, 400, response.text);
          assert.ok(response.body.errors.some((e: { param: string }) => e.param === param), response.text);
        }
      });

      test('starting_after and ending_before together answer 400', async () => {
        const response = await paged.get(`/billing/accounts?starting_after=${newestFirst[1]}&ending_before=${newestFirst[3]}`);
        assert.equal(response.status, 400, response.text);
        assert.match(response.body.type, /#validation-error$/);
      });

      test('accounts inserted while walking cause no duplicates and no skips of the accounts that existed', async () => {
        const tenant = await server.createTenant('inserting');
        const busy = client(server, tenant.keys.test.secret);
        const customer = (await post(busy, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const existing = new Set<string>();
        for (let batch = 0; batch < 3; batch++) {
          const made = await Promise.all(Array.from({ length: 8 }, () => post(busy, '/billing/accounts', { customer, external_reference: uniqueRef('OLD') })));
          for (const a of made) existing.add(a.id);
        }
        const inserted: string[] = [];
        const walk = await walkForward(busy, '/billing/accounts', 4, async () => {
          const [a, b] = await Promise.all([
            post(busy, '/billing/accounts', { customer, external_reference: uniqueRef('NEW') }),
            post(busy, '/billing/accounts', { customer, external_reference: uniqueRef('NEW') }),
          ]);
          inserted.push(a.id, b.id);
        });
        assert.ok(inserted.length >= 10, 'accounts were inserted during the walk');
        assertExactlyOnce(walk.ids, existing);
        assertNewestFirst(walk.items);
        const everything = await walkForward(busy, '/billing/accounts', 100);
        assertExactlyOnce(everything.ids, [...existing, ...inserted]);
      });
    });

    describe('account filters', () => {
      test('customer_id narrows the list to that customer\'s accounts, and pages within them', async () => {
        const mine = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const other = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const ids = new Set<string>();
        for (let i = 0; i < 5; i++) {
          ids.add((await post(api, '/billing/accounts', { customer: mine, external_reference: uniqueRef('ACC') })).id);
          await post(api, '/billing/accounts', { customer: other, external_reference: uniqueRef('ACC') });
        }
        const listed = await api.get(`/billing/accounts?customer_id=${mine}`);
        assert.equal(listed.body.has_more, false);
        assertExactlyOnce(listed.body.data.map((a: Listed) => a.id), ids);
        assert.ok(listed.body.data.every((a: { customer_id: string }) => a.customer_id === mine));
        assertNewestFirst(listed.body.data);
        const walk = await walkForward(api, `/billing/accounts?customer_id=${mine}`, 2);
        assert.deepEqual(walk.ids, listed.body.data.map((a: Listed) => a.id));
        const none = await api.get(`/billing/accounts?customer_id=bcus_DoesNotExist0000000`);
        assert.deepEqual(none.body, { object: 'list', data: [], has_more: false });
      });

      test('external_reference narrows the list to exactly that account', async () => {
        const customer = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const wanted = await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') });
        await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') });
        const listed = await api.get(`/billing/accounts?external_reference=${wanted.external_reference}`);
        assert.deepEqual(listed.body, { object: 'list', data: [wanted], has_more: false });
        const none = await api.get(`/billing/accounts?external_reference=${uniqueRef('NOPE')}`);
        assert.deepEqual(none.body, { object: 'list', data: [], has_more: false });
      });

      test('created[gte] and created[lte] are inclusive bounds given as ISO 8601', async () => {
        const customer = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const accounts = [];
        for (let i = 0; i < 3; i++) {
          nextMillisecond();
          accounts.push(await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') }));
        }
        const [first, second, third] = accounts;
        assert.ok(first.created_at < second.created_at && second.created_at < third.created_at);
        const ids = async (query: Record<string, string>) => {
          const response = await api.get(withQuery(`/billing/accounts?customer_id=${customer}`, query));
          assert.equal(response.status, 200, response.text);
          return response.body.data.map((a: Listed) => a.id);
        };
        assert.deepEqual(await ids({ 'created[gte]': second.created_at }), [third.id, second.id]);
        assert.deepEqual(await ids({ 'created[lte]': second.created_at }), [second.id, first.id]);
        assert.deepEqual(await ids({ 'created[gte]': second.created_at, 'created[lte]': second.created_at }), [second.id]);
        assert.deepEqual(await ids({ 'created[gte]': first.created_at, 'created[lte]': third.created_at }), [third.id, second.id, first.id]);
        const justAfterThird = new Date(Date.parse(third.created_at) + 1).toISOString();
        assert.deepEqual(await ids({ 'created[gte]': justAfterThird }), []);
        const justBeforeFirst = new Date(Date.parse(first.created_at) - 1).toISOString();
        assert.deepEqual(await ids({ 'created[lte]': justBeforeFirst }), []);
        // The same instant with an offset designates the same bound.
        const offset = new Date(Date.parse(second.created_at) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
        assert.deepEqual(await ids({ 'created[gte]': offset }), [third.id, second.id]);
      });

      test('created[gte] and created[lte] accept Unix seconds', async () => {
        const customer = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const a = await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') });
        const b = await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') });
        const firstSecond = Math.floor(Date.parse(a.created_at) / 1000);
        const lastSecond = Math.floor(Date.parse(b.created_at) / 1000);
        const ids = async (query: Record<string, string | number>) => {
          const response = await api.get(withQuery(`/billing/accounts?customer_id=${customer}`, query));
          assert.equal(response.status, 200, response.text);
          return new Set(response.body.data.map((x: Listed) => x.id));
        };
        assert.deepEqual(await ids({ 'created[gte]': firstSecond }), new Set([a.id, b.id]));
        assert.deepEqual(await ids({ 'created[lte]': lastSecond + 1 }), new Set([a.id, b.id]));
        assert.deepEqual(await ids({ 'created[gte]': firstSecond, 'created[lte]': lastSecond + 1 }), new Set([a.id, b.id]));
        assert.deepEqual(await ids({ 'created[gte]': lastSecond + 1 }), new Set());
        assert.deepEqual(await ids({ 'created[lte]': firstSecond - 1 }), new Set());
      });

      test('a created bound that is neither ISO 8601 nor Unix seconds answers 400 naming it', async () => {
        for (const param of ['created[gte]', 'created[lte]']) {
          const response = await api.get(withQuery('/billing/accounts', { [param]: 'yesterday' }));
          assert.equal(response.status, 400, response.text);
          assert.ok(response.body.errors.some((e: { param: string }) => e.param === param), response.text);
        }
      });

      test('created bounds combine with cursors', async () => {
        const customer = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        const early = await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') });
        nextMillisecond();
        const window = new Set<string>();
        for (let i = 0; i < 6; i++) window.add((await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC') })).id);
        const walk = await walkForward(api, withQuery(`/billing/accounts?customer_id=${customer}`, { 'created[gte]': new Date(Date.parse(early.created_at) + 1).toISOString() }), 4);
        assertExactlyOnce(walk.ids, window);
      });
    });

    describe('ledger entries', () => {
      const ENTRY_COUNT = 31;
      let account: { id: string; external_reference: string; balance: number };
      let newestFirst: string[];

      before(async () => {
        const customer = (await post(api, '/billing/customers', { external_reference: uniqueRef('CUS') })).id;
        account = await post(api, '/billing/accounts', { customer, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 1 });
        for (let balance = 2; balance <= ENTRY_COUNT; balance++) {
          const response = await api.patch(`/billing/accounts/${account.id}`, { balance, currency: 'ZAR' });
          assert.equal(response.status, 200, response.text);
          account = response.body;
        }
        const all = await api.get(`/billing/accounts/${account.id}/ledger_entries?limit=100`);
        assert.equal(all.body.has_more, false);
        newestFirst = all.body.data.map((e: Listed) => e.id);
      });

      test('the default page of an account\'s ledger holds 10 entries, newest first', async () => {
        const page = await api.get(`/billing/accounts/${account.id}/ledger_entries`);
        assert.equal(page.status, 200, page.text);
        assert.equal(page.body.object, 'list');
        assert.equal(page.body.has_more, true);
        assert.deepEqual(page.body.data.map((e: { balance_after: number }) => e.balance_after), [31, 30, 29, 28, 27, 26, 25, 24, 23, 22]);
      });

      for (const limit of [1, 7, undefined, 100]) {
        test(`walking an account's ledger forward at limit ${limit ?? 'default (10)'} visits every entry exactly once, newest first`, async () => {
          const walk = await walkForward(api, `/billing/accounts/${account.id}/ledger_entries`, limit);
          assertExactlyOnce(walk.ids, newestFirst);
          assert.equal(walk.ids.length, ENTRY_COUNT);
          assert.deepEqual(walk.ids, newestFirst);
          assertNewestFirst(walk.items);
          const balances = walk.items.map((e) => (e as unknown as { balance_after: number }).balance_after);
          assert.deepEqual(balances, Array.from({ length: ENTRY_COUNT }, (_, i) => ENTRY_COUNT - i));
        });
      }

      test('walking an account\'s ledger backward with ending_before from the oldest entry returns every newer entry', async () => {
        const walk = await walkBackward(api, `/billing/accounts/${account.external_reference}/ledger_entries`, 7, newestFirst[newestFirst.length - 1]);
        assert.deepEqual(walk.ids, newestFirst.slice(0, -1));
      });

      test('a ledger entry id of another account is not a cursor for this one', async () => {
        const other = await post(api, '/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 5 });
        const otherEntry = (await api.get(`/billing/accounts/${other.id}/ledger_entries`)).body.data[0].id;
        const response = await api.get(`/billing/accounts/${account.id}/ledger_entries?starting_after=${otherEntry}`);
        assert.equal(response.status, 400, response.text);
        assert.ok(response.body.errors.some((e: { param: string }) => e.param === 'starting_after'), response.text);
      });
    });

    describe('customers', () => {
      const CUSTOMER_COUNT = 23;
      let paged: Api;
      const created = new Set<string>();
      let newestFirst: string[];

      before(async () => {
        const tenant = await server.createTenant('customer-paging');
        paged = client(server, tenant.keys.test.secret);
        while (created.size < CUSTOMER_COUNT) {
          const burst = Math.min(5, CUSTOMER_COUNT - created.size);
          const made = await Promise.all(Array.from({ length: burst }, () => post(paged, '/billing/customers', { external_reference: uniqueRef('CUS') })));
          for (const c of made) created.add(c.id);
        }
        newestFirst = (await paged.get('/billing/customers?limit=100')).body.data.map((c: Listed) => c.id);
      });

      test('the default customer page holds 10 customers', async () => {
        const page = await paged.get('/billing/customers');
        assert.deepEqual(page.body.data.map((c: Listed) => c.id), newestFirst.slice(0, 10));
        assert.equal(page.body.has_more, true);
      });

      for (const limit of [1, 7, undefined, 100]) {
        test(`walking customers forward at limit ${limit ?? 'default (10)'} visits every customer exactly once, newest first`, async () => {
          const walk = await walkForward(paged, '/billing/customers', limit);
          assertExactlyOnce(walk.ids, created);
          assertNewestFirst(walk.items);
          assert.deepEqual(walk.ids, newestFirst);
        });
      }

      test('walking customers backward with ending_before from the oldest returns every newer customer', async () => {
        const walk = await walkBackward(paged, '/billing/customers', 4, newestFirst[newestFirst.length - 1]);
        assert.deepEqual(walk.ids, newestFirst.slice(0, -1));
      });

      test('customers inserted while walking cause no duplicates and no skips', async () => {
        const inserted: string[] = [];
        const walk = await walkForward(paged, '/billing/customers', 5, async () => {
          inserted.push((await post(paged, '/billing/customers', { external_reference: uniqueRef('NEW') })).id);
        });
        assert.ok(inserted.length > 0);
        assertExactlyOnce(walk.ids, created);
      });

      test('created[gte] and created[lte] narrow the customer list', async () => {
        nextMillisecond();
        const first = await post(paged, '/billing/customers', { external_reference: uniqueRef('CUS') });
        nextMillisecond();
        const second = await post(paged, '/billing/customers', { external_reference: uniqueRef('CUS') });
        const gte = await paged.get(withQuery('/billing/customers', { 'created[gte]': first.created_at }));
        assert.deepEqual(gte.body.data.map((c: Listed) => c.id), [second.id, first.id]);
        const both = await paged.get(withQuery('/billing/customers', { 'created[gte]': first.created_at, 'created[lte]': first.created_at }));
        assert.deepEqual(both.body.data.map((c: Listed) => c.id), [first.id]);
      });
    });
  });
}
