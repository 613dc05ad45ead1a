import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { runCli as runServiceCli } from '../support/run-cli.js';
import { client } from '../support/http.js';
import type { TestApp } from '../support/server.js';
import { platformClient, liveAccount, topUp } from '../platform/platform-api.js';
import { injectedToken, orgClient, uniqueName, usd } from '../org/org-client.js';

export type { ProcessResult as CliResult } from '../support/run-cli.js';

/** Runs the built `subledger <args>` against `databaseUrl` to completion (stdout and stderr are pipes, not a terminal). */
export function runCli(args: string[], databaseUrl: string) {
  return runServiceCli(args, { DATABASE_URL: databaseUrl });
}

/** What a tenant's ledger holds after real API writes on every surface: 14 entries on 5 balances. */
export interface SeededTenant {
  tenantId: string;
  billingAccountId: string;
  /** A platform sub-account with three top-ups (a chain of three external entries). */
  toppedUp: string;
  /** A platform sub-account whose only entry is the credit side of one transfer. */
  receiver: string;
  orgAccountId: string;
}

/** A new tenant of `server`, written to through the billing, platform and org APIs. */
export async function seedTenant(server: TestApp, name = 'audited'): Promise<SeededTenant> {
  const created = await server.createTenant(name);
  const secret = created.keys.test.secret;
  const billing = client(server, secret);
  const account = await billing.post('/billing/accounts', { customer: { external_reference: `CUS-${randomUUID()}` }, external_reference: `ACC-${randomUUID()}`, currency: 'ZAR', balance: 1000 });
  assert.equal(account.status, 201, account.text);
  for (const balance of [1500, -250]) {
    const patched = await billing.patch(`/billing/accounts/${account.body.id}`, { balance });
    assert.equal(patched.status, 200, patched.text);
  }
  // A payment against the account (the testing API's checkout): a `payment` entry on its balance.
  const rules = await billing.patch(`/billing/accounts/${account.body.id}`, { payment_rules: { min_amount: 1, max_amount: 5000, underpayment_allowed: true, overpayment_allowed: true } });
  assert.equal(rules.status, 200, rules.text);
  const paid = await billing.post('/testing/v1/billing/payments', { account: account.body.id, currency: 'ZAR', amount: 100 });
  assert.equal(paid.status, 201, paid.text);
  const platform = platformClient(server, secret);
  await topUp(platform, '100000');
  const toppedUp = await liveAccount(platform);
  for (const amount of ['100', '200', '300']) await topUp(platform, amount, toppedUp);
  const receiver = await liveAccount(platform);
  const transfer = (source: string, destination: string, amount: string) =>
    platform.postRaw('/transfers', `{"reference":"${randomUUID()}","amount":${amount},"source_user_id":"${source}","destination_user_id":"${destination}"}`);
  for (const [source, destination, amount] of [[created.tenant.id, receiver, '5000'], [toppedUp, created.tenant.id, '50']] as const) {
    const answer = await transfer(source, destination, amount);
    assert.equal(answer.status, 200, answer.text);
  }
  const org = orgClient(server, await injectedToken(server, { tenantId: created.tenant.id }));
  const orgAccount = await org.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' });
  assert.equal(orgAccount.status, 200, orgAccount.text);
  const orgAccountId = orgAccount.body.account.accountId as string;
  for (const body of [
    { amount: usd(100), topup: { reference: 'INV-1', paymentType: 'BACS' } },
    { amount: usd(-30, -500_000_000), dataInstance: { dataInstanceId: 'di-1' } },
  ]) {
    const posted = await org.post(`/v1/accounts/${orgAccountId}/transactions`, body);
    assert.equal(posted.status, 200, posted.text);
  }
  return { tenantId: created.tenant.id, billingAccountId: account.body.id as string, toppedUp, receiver, orgAccountId };
}
