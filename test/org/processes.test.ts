import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ServeProcesses, type ServeProcess } from '../support/serve-process.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { orgClient, tokenFor, uniqueName, usd, type OrgCredentials } from './org-client.js';
import { SmtpSink } from '../support/smtp-sink.js';

// The org surface across real `subledger serve` processes: the OAuth client printed on a fresh
// database, a low-balance e-mail that survives SIGKILL between the change and the send, and
// two processes on one PostgreSQL database signing with one key.

const WAIT_MS = 30_000;
const TIMEOUT = { timeout: 120_000 };
const spawned = new ServeProcesses({ LOG_LEVEL: 'warn' }, WAIT_MS);
after(() => spawned.killAll());

async function printedOAuthClient(serve: ServeProcess): Promise<OrgCredentials> {
  const [, clientId, clientSecret] = await serve.output(/test OAuth client:\s+client_id (oac_[0-9A-Za-z]+)\s+client_secret ([0-9A-Za-z]+)/);
  return { clientId: clientId!, clientSecret: clientSecret! };
}

const kinds = await storeKinds();
const THIRD_ADMIN_TOKEN = 'admin-token-for-this-test-0123456789ab';

describe('org surface across serve processes', { concurrency: 1 }, () => {
  for (const kind of kinds) {
    test(`a fresh database prints the default tenant's OAuth client; SIGKILL between the change and the send neither loses nor repeats the low-balance e-mail (${kind})`, TIMEOUT, async () => {
      const database = await createTestDatabase(kind);
      const smtp = await new SmtpSink().listen();
      try {
        const first = spawned.start(`${kind} serve (workers off)`, { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'off' });
        const base1 = await first.ready();
        const credentials = await printedOAuthClient(first);
        const api = orgClient(base1, await tokenFor(base1, credentials));
        const address = `crash-${process.pid}@example.com`;
        const account = (await api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD', lowBalance: { hasNotification: true, notificationEmail: address, threshold: usd(10) } })).body.account;
        await api.post(`/v1/accounts/${account.accountId}/transactions`, { amount: usd(30), topup: { paymentType: 'API' } });
        const debit = await api.post(`/v1/accounts/${account.accountId}/transactions`, { amount: usd(-25), dataInstance: { dataInstanceId: 'd-1' } });
        assert.equal(debit.status, 200, debit.text);
        assert.equal(await first.sigkill(), 'SIGKILL', 'the change is committed, the e-mail not yet sent, and the process dies');
        assert.equal(smtp.mails.length, 0);

        const second = spawned.start(`${kind} serve (restarted, workers on)`, { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '50', SMTP_URL: smtp.url });
        const base2 = await second.ready();
        await waitFor(() => smtp.to(address).length === 1, WAIT_MS, 'the low-balance e-mail after the restart');
        // The token from before the crash still works: the signing key is the database's.
        const again = orgClient(base2, await tokenFor(base2, credentials));
        const after = await again.post(`/v1/accounts/${account.accountId}/transactions`, { amount: usd(-1), dataInstance: { dataInstanceId: 'd-2' } });
        assert.equal(after.status, 200, 'still below: no second e-mail is due');
        assert.equal(await second.terminate(), 0);

        const third = spawned.start(`${kind} serve (third start)`, { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '50', SMTP_URL: smtp.url, SUBLEDGER_ADMIN_TOKEN: THIRD_ADMIN_TOKEN });
        const base3 = await third.ready();
        const tenantId = (await (await fetch(`${base3}/admin/v1/tenants`, { headers: { authorization: `Bearer ${THIRD_ADMIN_TOKEN}` } })).json()).data[0].id as string;
        const emails = await waitFor(async () => {
          const answer = await (await fetch(`${base3}/admin/v1/tenants/${tenantId}/emails`, { headers: { authorization: `Bearer ${THIRD_ADMIN_TOKEN}` } })).json();
          const mine = (answer.data as { to: string; status: string }[]).filter((e) => e.to === address);
          return mine.every((e) => e.status === 'sent') ? mine : null;
        }, WAIT_MS, 'every e-mail of the outbox sent');
        assert.equal(emails.length, 1, 'one e-mail in the outbox for the one crossing');
        assert.equal(smtp.to(address).length, 1, 'received exactly once');
        assert.match(smtp.to(address)[0]!.subject, /is at 5 USD/);
        await third.terminate();
      } finally {
        await smtp.close();
        await database.drop();
      }
    });
  }

  if (kinds.includes('postgres')) {
    test('two serve processes on one PostgreSQL database sign with one key: each accepts the other\u2019s tokens, and page tokens work on both', TIMEOUT, async () => {
      const database = await createTestDatabase('postgres');
      try {
        const a = spawned.start('postgres serve A', { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'off' });
        const baseA = await a.ready();
        const credentials = await printedOAuthClient(a);
        const b = spawned.start('postgres serve B', { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'off' });
        const baseB = await b.ready();
        // Both create the key at once on a database that has none yet: one wins, both use it.
        const [jwksA, jwksB] = await Promise.all([baseA, baseB].map(async (base) => (await fetch(`${base}/.well-known/jwks.json`)).json()));
        assert.deepEqual(jwksA, jwksB);
        const [tokenA, tokenB] = await Promise.all([tokenFor(baseA, credentials), tokenFor(baseB, credentials, { method: 'body' })]);
        await jwtVerify(tokenA, createRemoteJWKSet(new URL(`${baseB}/.well-known/jwks.json`)));
        await jwtVerify(tokenB, createRemoteJWKSet(new URL(`${baseA}/.well-known/jwks.json`)));
        const onB = orgClient(baseB, tokenA);
        const onA = orgClient(baseA, tokenB);
        for (let i = 0; i < 3; i += 1) assert.equal((await onB.post('/v1/accounts', { name: uniqueName(), currencyCode: 'EUR' })).status, 200);
        const page = await onA.get('/v1/accounts?pageSize=2');
        assert.equal(page.status, 200, page.text);
        const next = await onB.get(`/v1/accounts?pageSize=2&pageToken=${encodeURIComponent(page.body.nextPageToken)}`);
        assert.equal(next.status, 200, `a page token of A opens on B: ${next.text}`);
        assert.equal(next.body.accounts.length, 1);
        await a.terminate();
        await b.terminate();
      } finally {
        await database.drop();
      }
    });
  }
});
