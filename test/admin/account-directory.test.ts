import { VENDORS } from '../../src/surfaces/index.js';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { accountDirectoryRepository } from '../../src/store/account-directory.js';
import type { Database } from '../../src/store/database.js';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { orgClient, newOAuthClient, tokenFor, usd } from '../org/org-client.js';
import { platformClient, topUp } from '../platform/platform-api.js';

// The operator console's admin API over every surface's accounts: one directory (search,
// filters, cursor pages), an account's balances, ledger, balance over time, events with their
// deliveries, and the operator's actions; seeded through each surface's own API.

const admin = (server: TestServer, method: string, path: string, body?: unknown) => call(server, method, `/admin/v1${path}`, body, { key: ADMIN_TOKEN });
const ids = (response: ApiResponse) => (response.body.data as { id: string }[]).map((a) => a.id);

/** Every page of a directory query, following next_cursor. */
async function allPages(server: TestServer, tenantId: string, query: string): Promise<{ id: string; surface: string }[]> {
  const seen: { id: string; surface: string }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const answer = await admin(server, 'GET', `/tenants/${tenantId}/accounts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(answer.status, 200, answer.text);
    seen.push(...answer.body.data);
    cursor = answer.body.next_cursor;
    if (cursor === null) return seen;
  }
  throw new Error('the cursor never ended');
}

for (const kind of await storeKinds()) {
  describe(`admin API: accounts of every surface (${kind})`, () => {
    let server: TestServer;
    let receiver: Server;
    let tenantId: string;
    const made: Record<string, string> = {};
    const emails = { customer: `${uniqueRef('zoe').toLowerCase()}@example.com`, platform: `${uniqueRef('pat').toLowerCase()}@example.com` };

    before(async () => {
      receiver = createServer((_request, response) => response.writeHead(500).end('down'));
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      // Listening for simple-oauth2 (it takes a URL); the API calls go through inject.
      server = await build(kind, { listen: true, env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20', SUBLEDGER_RETRY_SCHEDULE: '0.1' } });
      tenantId = server.tenant.tenant.id;
      const hooks = await admin(server, 'POST', `/tenants/${tenantId}/webhook-endpoints`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, mode: 'test' });
      assert.equal(hooks.status, 201, hooks.text);

      const billing = client(server, server.tenant.keys.test.secret);
      const customer = await billing.post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'Zoë Zebra', email: emails.customer });
      assert.equal(customer.status, 201, customer.text);
      made.customer = customer.body.id;
      made.customerRef = customer.body.external_reference;
      const account = await billing.post('/billing/accounts', { customer: made.customer, external_reference: uniqueRef('ACC'), name: 'Zebra subscription', currency: 'ZAR', balance: 2000 });
      assert.equal(account.status, 201, account.text);
      made.account = account.body.id;
      made.accountRef = account.body.external_reference;
      const patched = await billing.patch(`/billing/accounts/${made.accountRef}`, { balance: 1500 }, { idempotencyKey: 'patch-balance-1' });
      assert.equal(patched.status, 200, patched.text);

      const platform = platformClient(server, server.tenant.keys.test.secret);
      const managed = await platform.post('/v2/accounts', { email: emails.platform, type: 'OWNED', public_profile: { business_name: 'Zest Traders' } });
      assert.equal(managed.status, 200, managed.text);
      made.platform = managed.body.id;
      await topUp(platform, '5000');
      const transfer = await platform.postRaw('/transfers', JSON.stringify({ reference: uniqueRef('TR'), amount: 1200, source_user_id: tenantId, destination_user_id: made.platform }));
      assert.equal(transfer.status, 200, transfer.text);

      const org = orgClient(server, await tokenFor(server.baseUrl, await newOAuthClient(server)));
      const orgAccount = await org.post('/v1/accounts', { name: 'Zenith research', currencyCode: 'USD' });
      assert.equal(orgAccount.status, 200, orgAccount.text);
      made.org = orgAccount.body.account.accountId;
      const credited = await org.post(`/v1/accounts/${made.org}/transactions`, { amount: usd(40), description: 'grant', topup: { reference: 'grant-1', paymentType: 'API' } });
      assert.equal(credited.status, 200, credited.text);

      // A live-mode customer, for the mode filter.
      const live = await client(server, server.tenant.keys.live.secret).post('/billing/customers', { external_reference: uniqueRef('LIVE'), name: 'Zed Live' });
      assert.equal(live.status, 201, live.text);
      made.live = live.body.id;
    });
    after(async () => {
      await server.close();
      await new Promise((resolve) => receiver.close(resolve));
    });

    test('one list of every surface, newest first; every page through the cursor, each account once', async () => {
      const first = await admin(server, 'GET', `/tenants/${tenantId}/accounts`);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(ids(first), [made.live, made.org, made.platform, made.account, made.customer]);
      const byId: Record<string, { status: string; kind: string }> = Object.fromEntries((first.body.data as { id: string; status: string; kind: string }[]).map((a) => [a.id, a]));
      assert.deepEqual(
        { ...byId[made.customer!], created_at: undefined },
        { id: made.customer, surface: 'billing', kind: 'customer', mode: 'test', name: 'Zoë Zebra', email: emails.customer, external_reference: made.customerRef, status: null, created_at: undefined },
      );
      assert.equal(byId[made.platform!].status, 'LIVE');
      assert.equal(byId[made.platform!].kind, 'sub_account');
      assert.equal(byId[made.org!].status, 'ok');
      assert.equal(first.body.next_cursor, null);

      for (const limit of [1, 2, 3]) {
        const paged = await allPages(server, tenantId, `limit=${limit}`);
        assert.deepEqual(paged.map((a) => a.id), ids(first), `limit ${limit}`);
      }
    });

    test('filters by surface, mode and status', async () => {
      const only = async (query: string) => (await allPages(server, tenantId, query)).map((a) => a.id).sort();
      assert.deepEqual(await only('surface=billing'), [made.live, made.account, made.customer].sort());
      assert.deepEqual(await only('surface=platform'), [made.platform]);
      assert.deepEqual(await only('mode=live'), [made.live]);
      assert.deepEqual(await only('status=LIVE'), [made.platform]);
      assert.deepEqual(await only('status=INVITED'), []);
      assert.deepEqual(await only('status=ok&surface=org'), [made.org]);
      assert.deepEqual(await only('status=ok&surface=platform'), []);
      const bad = await admin(server, 'GET', `/tenants/${tenantId}/accounts?status=sleepy`);
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((e: { param: string }) => e.param), ['status']);
    });

    test('search: id and external reference exactly, names and e-mails by their start in any case', async () => {
      const found = async (q: string, extra = '') => (await allPages(server, tenantId, `q=${encodeURIComponent(q)}${extra}`)).map((a) => a.id);
      assert.deepEqual(await found(made.platform!), [made.platform]);
      assert.deepEqual(await found(made.accountRef!), [made.account]);
      assert.deepEqual(await found(made.accountRef!.slice(0, -1)), [], 'an external reference matches exactly');
      assert.deepEqual(await found('zEbRa'), [made.account], 'a name, by its start, any case');
      assert.deepEqual(await found('ZOË'.slice(0, 2)), [made.customer]);
      assert.deepEqual(await found(emails.platform.slice(0, 6).toUpperCase()), [made.platform], 'an e-mail, by its start');
      // Names of every surface start with Z: by the matched name, one page at a time.
      const all = await found('z', '&limit=1');
      assert.deepEqual([...all].sort(), [made.live, made.customer, made.account, made.org, made.platform].sort(), 'each holder once, though one matches by name and e-mail');
      assert.deepEqual(all, await found('z'), 'in the same order on one page as on five');
      assert.deepEqual(await found('z', '&mode=live'), [made.live]);
      assert.deepEqual(await found('nobody-by-that-name'), []);
    });

    test('a cursor of another query is refused', async () => {
      const page = await admin(server, 'GET', `/tenants/${tenantId}/accounts?limit=1`);
      const other = await admin(server, 'GET', `/tenants/${tenantId}/accounts?limit=1&surface=org&cursor=${encodeURIComponent(page.body.next_cursor)}`);
      assert.equal(other.status, 400, other.text);
      assert.deepEqual(other.body.errors.map((e: { param: string }) => e.param), ['cursor']);
      const garbage = await admin(server, 'GET', `/tenants/${tenantId}/accounts?cursor=not-a-cursor`);
      assert.equal(garbage.status, 400);
    });

    test("an account's page: balances, ledger with request ids and idempotency keys, balance over time, events with deliveries", async () => {
      const detail = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.account}`);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.kind, 'account');
      assert.deepEqual(detail.body.balances.map((b: { currency: string; amount: string }) => [b.currency, b.amount]), [['ZAR', '15']]);
      assert.equal(detail.body.details.externalReference, made.accountRef);
      assert.deepEqual(detail.body.actions, {});

      const ledger = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.account}/ledger-entries`);
      assert.equal(ledger.status, 200, ledger.text);
      assert.deepEqual(ledger.body.data.map((e: { amount: string; balance_after: string }) => [e.amount, e.balance_after]), [['-5', '15'], ['20', '20']]);
      assert.equal(ledger.body.data[0].idempotency_key, 'patch-balance-1');
      assert.match(ledger.body.data[0].request_id, /.+/);
      assert.equal(ledger.body.data[0].counterparty, 'external');
      const older = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.account}/ledger-entries?limit=1&cursor=${ledger.body.data[0].id}`);
      assert.deepEqual(older.body.data.map((e: { id: string }) => e.id), [ledger.body.data[1].id]);
      assert.equal(older.body.next_cursor, null);

      const history = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.account}/balance-history`);
      assert.deepEqual(history.body.data.map((c: { currency: string; points: { balance: string }[] }) => [c.currency, c.points.map((p) => p.balance)]), [['ZAR', ['20', '15']]]);

      // The worker fans each event out to the failing receiver: the account's events carry those deliveries.
      const events = await waitFor(async () => {
        const answer = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.account}/events`);
        const all = answer.body.data as { type: string; deliveries: { attempts: number }[] }[];
        return all.length >= 3 && all.every((e) => e.deliveries.length === 1 && e.deliveries[0]!.attempts >= 1) ? all : undefined;
      }, 10_000, "the account's events with their deliveries attempted");
      assert.deepEqual(events.map((e) => e.type).sort(), ['billing.account.balance_changed', 'billing.account.created', 'billing.account.updated']);
    });

    test('a platform sub-account: its transfer on its ledger, its status moves as actions', async () => {
      const detail = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.platform}`);
      assert.equal(detail.status, 200, detail.text);
      assert.deepEqual(detail.body.balances.map((b: { currency: string; amount: string }) => [b.currency, b.amount]), [['IDR', '1200']]);
      assert.equal(detail.body.actions.platform_status.current, 'LIVE');
      assert.ok(detail.body.actions.platform_status.allowed.includes('SUSPENDED'), detail.text);
      assert.ok(!detail.body.actions.platform_status.allowed.includes('LIVE'));
      const ledger = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.platform}/ledger-entries`);
      assert.equal(ledger.body.data[0].counterparty, tenantId);
      assert.equal(ledger.body.data[0].kind, 'transfer');
      const events = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.platform}/events`);
      assert.ok(events.body.data.some((e: { type: string; source: string }) => e.source === 'platform' && /transfer/.test(e.type)), events.text);
    });

    test("an org account's low-balance settings: set above the balance it is low already (nothing sent); raised above it, it notifies once", async () => {
      const setTo = (threshold: string) => admin(server, 'PUT', `/tenants/${tenantId}/org-accounts/${made.org}/low-balance`, { has_notification: true, notification_email: 'ops@example.com', threshold });
      const lowMails = async () => (await admin(server, 'GET', `/tenants/${tenantId}/emails`)).body.data.filter((m: { to: string; subject: string }) => m.to === 'ops@example.com' && m.subject.startsWith('Low balance'));
      const set = await setTo('50.25');
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.body.actions.low_balance, { has_notification: true, notification_email: 'ops@example.com', threshold: '50.25' });
      assert.equal(set.body.status, 'low_balance');
      assert.deepEqual(ids(await admin(server, 'GET', `/tenants/${tenantId}/accounts?status=low_balance`)), [made.org]);
      // SPEC §9: a threshold set where there was none finds the account already low: no warning.
      assert.equal((await lowMails()).length, 0);
      assert.equal((await setTo('30')).body.status, 'ok');
      assert.equal((await setTo('50.25')).body.status, 'low_balance');
      assert.equal((await lowMails()).length, 1, 'raising the threshold above the balance notifies once (SPEC §5)');

      const tooPrecise = await admin(server, 'PUT', `/tenants/${tenantId}/org-accounts/${made.org}/low-balance`, { has_notification: true, notification_email: 'ops@example.com', threshold: '1.001' });
      assert.equal(tooPrecise.status, 400, tooPrecise.text);
      assert.deepEqual(tooPrecise.body.errors.map((e: { param: string }) => e.param), ['threshold']);
      const notOrg = await admin(server, 'PUT', `/tenants/${tenantId}/org-accounts/${made.account}/low-balance`, { has_notification: false, notification_email: 'ops@example.com', threshold: '1' });
      assert.equal(notOrg.status, 404);
      const after = await admin(server, 'GET', `/tenants/${tenantId}/accounts/${made.org}`);
      assert.equal(after.body.actions.low_balance.threshold, '50.25', 'the refused changes changed nothing');
    });

    test("another tenant's accounts are not found", async () => {
      const other = await server.createTenant('other');
      assert.equal((await admin(server, 'GET', `/tenants/${other.tenant.id}/accounts/${made.account}`)).status, 404);
      assert.deepEqual(ids(await admin(server, 'GET', `/tenants/${other.tenant.id}/accounts`)), []);
      assert.deepEqual(ids(await admin(server, 'GET', `/tenants/${other.tenant.id}/accounts?q=${made.account}`)), []);
      assert.equal((await admin(server, 'GET', '/tenants/ten_missing/accounts')).status, 404);
    });

    test('rotating a key: the new one works at once, the old one no longer', async () => {
      const created = await admin(server, 'POST', `/tenants/${tenantId}/keys`, { mode: 'test', type: 'secret' });
      const billingWith = (key: string) => client(server, key).get('/billing/customers?limit=1');
      assert.equal((await billingWith(created.body.key)).status, 200);
      const rotated = await admin(server, 'POST', `/tenants/${tenantId}/keys/${created.body.id}/rotate`);
      assert.equal(rotated.status, 201, rotated.text);
      assert.equal(rotated.body.replaces, created.body.id);
      assert.deepEqual([rotated.body.mode, rotated.body.type], ['test', 'secret']);
      assert.equal((await billingWith(rotated.body.key)).status, 200);
      assert.equal((await billingWith(created.body.key)).status, 403, 'a revoked key is refused, as billing refuses one');
      const again = await admin(server, 'POST', `/tenants/${tenantId}/keys/${created.body.id}/rotate`);
      assert.equal(again.status, 400, 'a revoked key has nothing to rotate');
      assert.equal((await admin(server, 'POST', `/tenants/${tenantId}/keys/key_missing/rotate`)).status, 404);
    });

    test('every directory statement reads through an index: no table scan, no sort', async () => {
      const captured: CompiledQuery[] = [];
      const log = (event: { level: string; query: CompiledQuery }) => void captured.push(event.query);
      const sqliteFile = server.database.url.replace(/^sqlite:/, '');
      const pool = kind === 'postgres' ? new pg.Pool({ connectionString: server.database.url, max: 1 }) : undefined;
      const db = new Kysely<Database>({
        dialect: pool ? new PostgresDialect({ pool }) : new SqliteDialect({ database: new BetterSqlite3(sqliteFile, { readonly: true }) }),
        log,
      });
      try {
        const directory = accountDirectoryRepository(db, kind, VENDORS.flatMap((vendor) => vendor.directory ?? []));
        const first = await directory.list(tenantId, { limit: 1 });
        await directory.list(tenantId, { limit: 1, cursor: first.nextCursor! });
        await directory.list(tenantId, { limit: 2, search: 'Ze' });
        await directory.list(tenantId, { limit: 2, search: 'zoe', mode: 'test', surface: 'billing' });
        await directory.list(tenantId, { limit: 2, status: 'INVITED' });
        await directory.list(tenantId, { limit: 2, status: 'ok' });
        const statements = [...captured];
        assert.ok(statements.length >= 20, `${statements.length} statements`);
        if (pool) {
          // Without the planner's other choices: a statement no index can serve shows a Seq Scan or a Sort.
          await sql`set enable_seqscan = off`.execute(db);
          await sql`set enable_bitmapscan = off`.execute(db);
        }
        for (const statement of statements) {
          const explain = pool ? `explain ${statement.sql}` : `explain query plan ${statement.sql}`;
          const plan = (await db.executeQuery<{ detail?: string; 'QUERY PLAN'?: string }>({ ...statement, sql: explain })).rows.map((r) => r.detail ?? r['QUERY PLAN']!).join('\n');
          if (pool) assert.doesNotMatch(plan, /Seq Scan|Sort/, `${statement.sql}\n${plan}`);
          else assert.doesNotMatch(plan, /\bSCAN\b|TEMP B-TREE/, `${statement.sql}\n${plan}`);
        }
      } finally {
        await db.destroy();
      }
    });
  });
}
