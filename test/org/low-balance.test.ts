import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Scope } from '../../src/ledger/model.js';
import { ADMIN_TOKEN } from '../support/server.js';
import { call } from '../support/http.js';
import { build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { orgApiOf, uniqueName, usd, type OrgApi } from './org-client.js';
import { SmtpSink } from '../support/smtp-sink.js';

// Low-balance notifications, edge-triggered (SPEC §5): one e-mail (received here by a real SMTP
// server) and one account.low_balance event per crossing below the threshold; re-armed by a
// return to it, with one account.low_balance_recovered event; nothing while it stays below.

const WAIT_MS = 10_000;
let addresses = 0;
const newAddress = () => `alerts-${process.pid}-${addresses++}@example.com`;

for (const kind of await storeKinds()) {
  describe(`org low-balance notifications (${kind})`, () => {
    let server: TestServer;
    let api: OrgApi;
    let smtp: SmtpSink;
    let scope: Scope;
    let receiver: Server;
    let webhookSecret: string;
    /** Verified webhook payloads, in the order received. */
    const delivered: { type: string; data: { accountId: string } }[] = [];
    before(async () => {
      smtp = await new SmtpSink().listen();
      receiver = createServer((request, response) => {
        let body = '';
        request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          delivered.push(new Webhook(webhookSecret).verify(body, request.headers as Record<string, string>) as (typeof delivered)[number]);
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      // Listening for simple-oauth2 (orgApiOf); the API calls go through inject.
      server = await build(kind, { listen: true, env: { SUBLEDGER_WORKERS: 'on', SMTP_URL: smtp.url, SUBLEDGER_OUTBOX_POLL_MS: '50' } });
      api = await orgApiOf(server);
      scope = { tenantId: server.tenant.tenant.id, mode: 'test' };
      const endpoint = await call(server, 'POST', `/admin/v1/tenants/${scope.tenantId}/webhook-endpoints`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, mode: 'test', events: ['account.low_balance', 'account.low_balance_recovered'] }, { key: ADMIN_TOKEN });
      assert.equal(endpoint.status, 201, endpoint.text);
      webhookSecret = endpoint.body.secret;
    });
    after(async () => {
      await server.close();
      await smtp.close();
      receiver.close();
    });

    const post = (id: string, units: number) =>
      api.post(`/v1/accounts/${id}/transactions`, units > 0 ? { amount: usd(units), topup: { paymentType: 'API' } } : { amount: usd(units), adjustment: { reason: 'spend' } });

    /** Every e-mail to `address` has left the outbox (sent), and how many there are. */
    const settledMailsTo = async (address: string, expected: number) => {
      await waitFor(async () => {
        const queued = (await server.services.store.reader.emails.listForTenant(scope.tenantId, 500)).filter((e) => e.to === address);
        return queued.length === expected && queued.every((e) => e.status === 'sent') && smtp.to(address).length >= expected;
      }, WAIT_MS, `${expected} e-mails to ${address} sent`);
      return smtp.to(address);
    };
    const eventsOf = async (accountId: string) =>
      (await server.services.store.reader.events.listRecent(scope, 500))
        .filter((e) => (e.data as { accountId?: string }).accountId === accountId && e.type.startsWith('account.'))
        .map((e) => e.type)
        .reverse();

    test('one e-mail and one event per crossing; nothing more while below; recovery re-arms with one recovered event', async () => {
      const address = newAddress();
      const name = uniqueName('Budget');
      const account = (await api.post('/v1/accounts', { name, currencyCode: 'USD', lowBalance: { hasNotification: true, notificationEmail: address, threshold: usd(10) } })).body.account;
      await post(account.accountId, 20);
      assert.deepEqual(await eventsOf(account.accountId), [], 'created at 0 below the threshold: already low, so neither a warning nor a recovery (SPEC §9)');
      await post(account.accountId, -15); // 20 → 5: crosses
      await post(account.accountId, -1); // 5 → 4: stays below
      await post(account.accountId, -1); // 4 → 3: stays below
      const first = await settledMailsTo(address, 1);
      assert.match(first[0]!.subject, new RegExp(`${name}.*5 USD`));
      await post(account.accountId, 7); // 3 → 10: back at the threshold
      await api.post(`/v1/accounts/${account.accountId}/transactions`, { amount: { currencyCode: 'USD', units: '0', nanos: -1 }, adjustment: {} }); // 10 → 9.999999999: crosses again
      const second = await settledMailsTo(address, 2);
      assert.equal(second.length, 2);
      assert.deepEqual(await eventsOf(account.accountId), ['account.low_balance', 'account.low_balance_recovered', 'account.low_balance']);
      // The webhook endpoint subscribed to the low-balance types receives each once, signed, with the account as the API shows it.
      const mine = await waitFor(() => {
        const received = delivered.filter((event) => event.data.accountId === account.accountId);
        return received.length >= 3 ? received : null;
      }, WAIT_MS, 'three low-balance webhooks');
      assert.deepEqual(mine.map((event) => event.type).sort(), ['account.low_balance', 'account.low_balance', 'account.low_balance_recovered']);
    });

    test('an account at or below its threshold when created or when its threshold is set counts as low: no warning then, no recovery until it was warned (SPEC §9)', async () => {
      const address = newAddress();
      const settings = (threshold: number, hasNotification = true) => ({ hasNotification, notificationEmail: address, threshold: usd(threshold) });
      // Created exactly at its threshold (0 = 0): low already; rising and falling back to it is no crossing.
      const atThreshold = (await api.post('/v1/accounts', { name: uniqueName('At'), currencyCode: 'USD', lowBalance: settings(0) })).body.account;
      await post(atThreshold.accountId, 5);
      // A threshold set on an account that had none, above its balance (5 < 8): low already, nothing sent.
      const later = (await api.post('/v1/accounts', { name: uniqueName('Later'), currencyCode: 'USD' })).body.account;
      await post(later.accountId, 5);
      assert.equal((await api.put(`/v1/accounts/${later.accountId}`, { accountId: later.accountId, name: later.name, lowBalance: settings(8) })).status, 200);
      await post(later.accountId, 10); // 5 → 15: back above, but it was never announced
      assert.deepEqual(await eventsOf(later.accountId), []);
      await post(later.accountId, -10); // 15 → 5: a real crossing, announced
      await post(later.accountId, 10); // 5 → 15: its recovery, announced
      // Low while notifications were off, then turned on while still low: its recovery is no news either.
      const muted = (await api.post('/v1/accounts', { name: uniqueName('Muted'), currencyCode: 'USD', lowBalance: settings(10, false) })).body.account;
      await post(muted.accountId, 20);
      await post(muted.accountId, -15); // 20 → 5, silent
      assert.equal((await api.put(`/v1/accounts/${muted.accountId}`, { accountId: muted.accountId, name: muted.name, lowBalance: settings(10) })).status, 200);
      await post(muted.accountId, 10); // 5 → 15
      await settledMailsTo(address, 1);
      assert.deepEqual(await eventsOf(atThreshold.accountId), []);
      assert.deepEqual(await eventsOf(later.accountId), ['account.low_balance', 'account.low_balance_recovered']);
      assert.deepEqual(await eventsOf(muted.accountId), []);
    });

    test('a PUT that raises the threshold above the balance notifies once; hasNotification false sends nothing', async () => {
      const address = newAddress();
      const account = (await api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' })).body.account;
      await post(account.accountId, 50);
      const put = (threshold: number, hasNotification = true) =>
        api.put(`/v1/accounts/${account.accountId}`, { accountId: account.accountId, name: account.name, lowBalance: { hasNotification, notificationEmail: address, threshold: usd(threshold) } });
      assert.equal((await put(40)).status, 200);
      assert.equal((await put(60)).status, 200); // 50 < 60: crosses
      assert.equal((await put(70)).status, 200); // still below: nothing
      await settledMailsTo(address, 1);
      assert.deepEqual(await eventsOf(account.accountId), ['account.low_balance']);

      const quiet = newAddress();
      const silent = (await api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD', lowBalance: { hasNotification: false, notificationEmail: quiet, threshold: usd(5) } })).body.account;
      await post(silent.accountId, 10);
      await post(silent.accountId, -8);
      await settledMailsTo(address, 1);
      assert.equal((await server.services.store.reader.emails.listForTenant(scope.tenantId, 500)).filter((e) => e.to === quiet).length, 0);
      assert.deepEqual(await eventsOf(silent.accountId), []);
    });
  });
}
