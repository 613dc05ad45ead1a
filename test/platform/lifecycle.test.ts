import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { call } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { accountBody, platformClient, type PlatformClient } from './platform-api.js';

interface Hook {
  headers: Record<string, string | string[] | undefined>;
  body: { event: string; created: string; business_id: string; data: { id: string; status: string } };
}

/** A webhook receiver on 127.0.0.1 that keeps what it is sent. */
async function startReceiver(): Promise<{ server: Server; url: string; hooks: Hook[] }> {
  const hooks: Hook[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body: JSON.parse(text) as Hook['body'] });
      res.writeHead(200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/xendit`, hooks };
}

/** A real SMTP server on 127.0.0.1 that keeps each message's recipients and text. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: { to: string[]; raw: string }[] }> {
  const mails: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

const admin = (server: TestApp, path: string, body: unknown) =>
  call(server, 'POST', `/admin/v1/tenants/${server.tenant.tenant.id}${path}`, body, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

for (const kind of await storeKinds()) {
  describe(`platform account lifecycle (${kind})`, () => {
    let server: TestApp;
    let api: PlatformClient;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    before(async () => {
      receiver = await startReceiver();
      smtp = await startSmtp();
      server = await build(kind, { env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20', SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
      api = platformClient(server, server.tenant.keys.test.secret);
      for (const mode of ['test', 'live']) {
        const endpoint = await admin(server, '/webhook-endpoints', { url: receiver.url, mode, events: ['account.*'] });
        assert.equal(endpoint.status, 201, endpoint.text);
      }
    });
    after(async () => {
      await server.close();
      await new Promise((resolve) => receiver.server.close(resolve));
      await new Promise((resolve) => smtp.server.close(() => resolve(undefined)));
    });

    const hooksFor = (id: string) => receiver.hooks.filter((h) => h.body.data.id === id);

    test('a MANAGED account walks INVITED → REGISTERED → AWAITING_DOCS → PENDING_VERIFICATION → LIVE → SUSPENDED → LIVE, each event in Xendit’s envelope with x-callback-token', async () => {
      const id = (await api.post('/v2/accounts', accountBody('MANAGED'))).body.id as string;
      for (const status of ['REGISTERED', 'AWAITING_DOCS', 'PENDING_VERIFICATION', 'LIVE', 'SUSPENDED', 'LIVE']) {
        const moved = await api.post(`/v2/accounts/${id}/test/status`, { status });
        assert.equal(moved.status, 200, moved.text);
        assert.equal(moved.body.status, status);
      }
      const expected = ['account.created', 'account.registered', 'account.updated', 'account.updated', 'account.activated', 'account.suspended', 'account.activated'];
      await waitFor(() => hooksFor(id).length === expected.length, 10_000, 'seven platform webhooks');
      // Deliveries may arrive in any order (at-least-once, in parallel): compare what arrived.
      const hooks = hooksFor(id);
      assert.deepEqual(hooks.map((h) => h.body.event).sort(), [...expected].sort());
      for (const hook of hooks) {
        assert.equal(hook.headers['x-callback-token'], server.tenant.tenant.callbackToken);
        assert.equal(hook.body.business_id, server.tenant.tenant.id);
        assert.match(hook.body.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.ok(hook.headers['webhook-signature']);
      }
      assert.equal(hooks.find((h) => h.body.event === 'account.created')!.body.data.status, 'INVITED');
      assert.ok(hooks.filter((h) => h.body.event === 'account.activated').every((h) => h.body.data.status === 'LIVE'));
    });

    test('REGISTERED → PENDING_VERIFICATION is allowed; moves outside the lifecycle are API_VALIDATION_ERROR and change nothing', async () => {
      const id = (await api.post('/v2/accounts', accountBody('MANAGED'))).body.id as string;
      const skip = await api.post(`/v2/accounts/${id}/test/status`, { status: 'LIVE' });
      assert.equal(skip.status, 400);
      assert.equal(skip.body.error_code, 'API_VALIDATION_ERROR');
      assert.equal(skip.body.errors[0].path, 'status');
      assert.equal((await api.post(`/v2/accounts/${id}/test/status`, { status: 'REGISTERED' })).status, 200);
      assert.equal((await api.post(`/v2/accounts/${id}/test/status`, { status: 'INVITED' })).status, 400);
      assert.equal((await api.post(`/v2/accounts/${id}/test/status`, { status: 'PENDING_VERIFICATION' })).body.status, 'PENDING_VERIFICATION');
      assert.equal((await api.post(`/v2/accounts/${id}/test/status`, { status: 'AWAITING_DOCS' })).status, 400);
      assert.equal((await api.get(`/v2/accounts/${id}`)).body.status, 'PENDING_VERIFICATION');
      assert.equal((await api.post(`/v2/accounts/${id}/test/status`, { status: 'ASLEEP' })).status, 400);
      assert.equal((await api.post('/v2/accounts/0123456789abcdef01234567/test/status', { status: 'LIVE' })).status, 404);
    });

    test('live keys cannot use the test status endpoint; the operator moves a live account through the admin API, with the same events', async () => {
      const live = platformClient(server, server.tenant.keys.live.secret);
      const id = (await live.post('/v2/accounts', accountBody('OWNED'))).body.id as string;
      const refused = await live.post(`/v2/accounts/${id}/test/status`, { status: 'SUSPENDED' });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error_code, 'REQUEST_FORBIDDEN_ERROR');
      const moved = await admin(server, `/platform-accounts/${id}/status`, { status: 'SUSPENDED' });
      assert.equal(moved.status, 200, moved.text);
      assert.deepEqual({ mode: moved.body.mode, status: moved.body.status }, { mode: 'live', status: 'SUSPENDED' });
      assert.equal((await live.get(`/v2/accounts/${id}`)).body.status, 'SUSPENDED');
      const invalid = await admin(server, `/platform-accounts/${id}/status`, { status: 'REGISTERED' });
      assert.equal(invalid.status, 400);
      const unknown = await admin(server, '/platform-accounts/0123456789abcdef01234567/status', { status: 'LIVE' });
      assert.equal(unknown.status, 404);
      await waitFor(() => hooksFor(id).some((h) => h.body.event === 'account.suspended'), 10_000, 'the account.suspended webhook');
      const suspended = hooksFor(id).find((h) => h.body.event === 'account.suspended')!;
      assert.equal(suspended.headers['x-callback-token'], server.tenant.tenant.callbackToken);
      assert.equal(suspended.body.data.status, 'SUSPENDED');
    });

    test('a MANAGED account gets an invitation e-mail through the outbox; an OWNED one gets none', async () => {
      const managed = accountBody('MANAGED', 'Invited shop');
      const owned = accountBody('OWNED');
      assert.equal((await api.post('/v2/accounts', managed)).status, 200);
      assert.equal((await api.post('/v2/accounts', owned)).status, 200);
      const mail = await waitFor(() => smtp.mails.find((m) => m.to.includes(managed.email)), 10_000, 'the invitation e-mail');
      assert.match(mail.raw, /Invited shop/);
      // The OWNED account's create committed before the MANAGED one's mail was read: no mail is on its way.
      const emails = await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/emails`, undefined, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.ok(!emails.body.data.some((e: { to: string }) => e.to === owned.email));
      assert.ok(!smtp.mails.some((m) => m.to.includes(owned.email)));
    });
  });
}
