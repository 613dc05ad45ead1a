import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { nowIso } from '../../src/ledger/clock.js';
import { newId } from '../../src/ledger/ids.js';
import { newWebhookSecret } from '../../src/tenancy/webhook-endpoints.js';
import { WebhookUrlPolicy } from '../../src/tenancy/webhook-url-policy.js';
import { postWebhook } from '../../src/workers/webhook-sender.js';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';

// SPEC §9 "webhooks cannot be turned on ourselves": an endpoint URL is http(s) without user
// info, never at an unspecified, link-local or metadata address (IPv4-mapped forms included)
// nor at this service's own address and port; loopback and private networks only without
// SUBLEDGER_WEBHOOK_PRIVATE=deny. Checked at registration (400 naming url) and before every
// delivery on what the host resolves to then, connecting to that checked address.

const FAST = { SUBLEDGER_WORKERS: 'on', SUBLEDGER_RETRY_SCHEDULE: '0.05', SUBLEDGER_WEBHOOK_TIMEOUT_MS: '1000', SUBLEDGER_OUTBOX_LEASE_SECONDS: '2', SUBLEDGER_OUTBOX_POLL_MS: '20' };

/** A receiver on 127.0.0.1 that answers 204 and remembers each request's Host header. */
class Receiver {
  readonly hosts: string[] = [];
  private server: Server = createServer((request: IncomingMessage, response) => {
    request.resume();
    request.on('end', () => {
      this.hosts.push(request.headers.host ?? '');
      response.writeHead(204).end();
    });
  });
  port = 0;
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const portOf = (server: TestServer) => Number(new URL(server.baseUrl).port);

function register(server: TestApp, url: string): Promise<ApiResponse> {
  return call(server, 'POST', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-endpoints`, { url, mode: 'test', events: ['*'] }, { key: ADMIN_TOKEN });
}

function assertRefused(response: ApiResponse, url: string, reason: RegExp): void {
  assert.equal(response.status, 400, `${url}: ${response.text}`);
  assert.equal(response.body.errors?.[0]?.param, 'url', `${url}: ${response.text}`);
  assert.match(response.body.errors[0].message, reason, url);
}

/** An endpoint stored as if registered before the policy (or under another one): only the delivery-time check stands in its way. */
async function storeEndpointDirectly(server: TestApp, url: string): Promise<string> {
  const id = newId('we');
  await server.services.store.transaction((tx) => tx.webhooks.insertEndpoint(server.tenant.tenant.id, { id, mode: 'test', url, secret: newWebhookSecret(), eventTypes: ['*'], createdAt: nowIso() }));
  return id;
}

/** The last error recorded for the first delivery to `endpointId`, once one was recorded. */
async function lastErrorOf(server: TestApp, endpointId: string): Promise<string> {
  return waitFor(
    async () => {
      const page = await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-deliveries?endpoint_id=${endpointId}`, undefined, { key: ADMIN_TOKEN });
      const delivery = page.body.data?.[0];
      return delivery?.last_error ? (delivery.last_error as string) : undefined;
    },
    8000,
    `a recorded attempt to ${endpointId}`,
  );
}

async function createAccount(server: TestApp): Promise<void> {
  const api = client(server, server.tenant.keys.test.secret);
  const customer = await api.post('/billing/customers', { external_reference: uniqueRef('CUS') });
  assert.equal(customer.status, 201, customer.text);
}

describe('the webhook sender connects to the address the policy checked', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = new Receiver();
    await receiver.start();
  });
  after(() => receiver.close());

  test('a name is looked up once: the HTTP client reaches the checked address (the name exists in no DNS), and a second answer pointing at metadata is refused', async () => {
    const answers = ['127.0.0.1', '169.254.169.254'];
    const policy = new WebhookUrlPolicy('allow', { host: '127.0.0.1', port: 0 }, async () => [{ address: answers.shift()!, family: 4 }]);
    const url = `http://rebinding.subledger.invalid:${receiver.port}/hook`;
    const first = await postWebhook(url, '{}', {}, 2000, policy);
    assert.deepEqual([first.ok, first.statusCode], [true, 204], JSON.stringify(first));
    assert.deepEqual(receiver.hosts, [`rebinding.subledger.invalid:${receiver.port}`]);
    const second = await postWebhook(url, '{}', {}, 2000, policy);
    assert.equal(second.ok, false);
    assert.match(second.error ?? '', /webhook URL policy.*metadata/);
    assert.equal(receiver.hosts.length, 1, 'the refused delivery sent nothing');
  });

  test('a recorded network failure names neither the address nor the port', async () => {
    const policy = new WebhookUrlPolicy('allow', { host: '127.0.0.1', port: 0 });
    const result = await postWebhook('http://127.0.0.1:1/hook', '{}', {}, 2000, policy);
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /connection refused/);
    assert.doesNotMatch(result.error ?? '', /127\.0\.0\.1|:1\b/);
  });
});

for (const kind of await storeKinds()) {
  describe(`webhook URL policy, default: loopback and private networks allowed (${kind})`, () => {
    let server: TestServer;
    let receiver: Receiver;
    before(async () => {
      receiver = new Receiver();
      await receiver.start();
      server = await build(kind, { listen: true, env: FAST });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    test('registration refuses other schemes, user info, unspecified, link-local and metadata addresses in every form, with 400 naming url', async () => {
      const cases: [string, RegExp][] = [
        ['ftp://127.0.0.1/hook', /http/],
        ['javascript:alert(1)', /http/],
        ['http://user:hunter2@127.0.0.1:9/hook', /user info/],
        ['http://169.254.169.254/latest/meta-data/', /metadata/],
        ['http://2852039166/latest/meta-data/', /metadata/],
        ['http://[::ffff:169.254.169.254]/', /metadata/],
        ['http://[::ffff:a9fe:a9fe]/', /metadata/],
        ['http://169.254.10.1:8080/', /link-local/],
        ['http://0.0.0.0:9/', /unspecified/],
        ['http://0/', /unspecified/],
        ['http://[::]:9/', /unspecified/],
        ['http://[::ffff:0.0.0.0]:9/', /unspecified/],
        ['http://[fe80::1]/', /link-local/],
        ['http://[fd00:ec2::254]/', /metadata/],
      ];
      for (const [url, reason] of cases) {
        const response = await register(server, url);
        assertRefused(response, url, reason);
        assert.doesNotMatch(response.text, /hunter2/);
      }
    });

    test("registration refuses this service's own address and port, by any name that resolves to it", async () => {
      const port = portOf(server);
      for (const url of [`http://127.0.0.1:${port}/billing/accounts`, `http://localhost:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://0x7f.1:${port}/`, `http://127.0.0.2:${port}/`]) {
        assertRefused(await register(server, url), url, /own listening address/);
      }
      const listed = await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-endpoints`, undefined, { key: ADMIN_TOKEN });
      assert.equal(listed.body.data.length, 0, listed.text);
    });

    test('loopback on another port and private networks are accepted (CI receivers)', async () => {
      for (const url of [`http://127.0.0.1:${receiver.port}/hook`, `http://localhost:${receiver.port}/hook`, 'http://10.1.2.3/hook', 'https://192.168.1.20:8443/hook', 'http://[fd12::1]/hook']) {
        const response = await register(server, url);
        assert.equal(response.status, 201, `${url}: ${response.text}`);
        await call(server, 'DELETE', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-endpoints/${response.body.id}`, undefined, { key: ADMIN_TOKEN });
      }
    });

    test('at delivery, an endpoint stored with user info or pointing at this service is refused, and what is recorded holds no credential', async () => {
      const withCredentials = await storeEndpointDirectly(server, `http://admin:hunter2@127.0.0.1:${receiver.port}/hook`);
      const ourselves = await storeEndpointDirectly(server, `http://localhost:${portOf(server)}/billing/accounts`);
      await createAccount(server);
      const credentialError = await lastErrorOf(server, withCredentials);
      assert.match(credentialError, /webhook URL policy.*user info/);
      assert.doesNotMatch(credentialError, /hunter2|admin:/);
      assert.match(await lastErrorOf(server, ourselves), /webhook URL policy.*own listening address/);
      assert.equal(receiver.hosts.length, 0, 'nothing reached the receiver');
      const deliveries = await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-deliveries/${(await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-deliveries?endpoint_id=${withCredentials}`, undefined, { key: ADMIN_TOKEN })).body.data[0].id}`, undefined, { key: ADMIN_TOKEN });
      assert.doesNotMatch(deliveries.text, /hunter2/);
    });
  });

  describe(`webhook URL policy with SUBLEDGER_WEBHOOK_PRIVATE=deny (${kind})`, () => {
    let server: TestServer;
    let receiver: Receiver;
    before(async () => {
      receiver = new Receiver();
      await receiver.start();
      server = await build(kind, { listen: true, env: { ...FAST, SUBLEDGER_WEBHOOK_PRIVATE: 'deny' } });
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    test('loopback and private addresses are refused at registration, by address or by name', async () => {
      for (const url of [`http://127.0.0.1:${receiver.port}/hook`, `http://localhost:${receiver.port}/hook`, 'http://10.1.2.3/hook', 'http://172.20.0.5/hook', 'http://192.168.1.20/hook', 'http://[::1]:8080/hook', 'http://[::ffff:10.0.0.1]/hook', 'http://[fd12::1]/hook']) {
        assertRefused(await register(server, url), url, /SUBLEDGER_WEBHOOK_PRIVATE=deny/);
      }
    });

    test('a public address is accepted', async () => {
      const response = await register(server, 'https://93.184.216.34/hook');
      assert.equal(response.status, 201, response.text);
      await call(server, 'DELETE', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-endpoints/${response.body.id}`, undefined, { key: ADMIN_TOKEN });
    });

    test('an endpoint on loopback stored before is refused at delivery: nothing reaches it', async () => {
      const endpoint = await storeEndpointDirectly(server, `http://localhost:${receiver.port}/hook`);
      await createAccount(server);
      assert.match(await lastErrorOf(server, endpoint), /webhook URL policy.*SUBLEDGER_WEBHOOK_PRIVATE=deny/);
      assert.equal(receiver.hosts.length, 0);
    });
  });
}
