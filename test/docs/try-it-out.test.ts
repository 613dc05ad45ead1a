import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserSkip, launchChromium, requireChromium } from '../support/browser.js';
import { call, client, uniqueRef } from '../support/http.js';
import { operationsOf, servedDocument, type OpenApiOperation } from '../support/openapi.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { REPO_ROOT } from '../support/repo-root.js';

// /docs in a real browser, as a newcomer uses it: Debian's Chromium driven by playwright-core
// authorizes, then runs Try-it-out with the default values on every list route of the
// document, and must see the objects the server stores. A route that fails is captured in
// test-artifacts/try-it-out/.

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/try-it-out/');
const UI_TIMEOUT_MS = 15_000;

/** The array a list route's 200 answer holds its objects in: `data`, or the org surface's `accounts` and `transactions`. */
const LIST_PROPERTIES = ['data', 'accounts', 'transactions'];
const listPropertyOf = (operation: OpenApiOperation) =>
  LIST_PROPERTIES.find((name) => operation.responses['200']?.content?.['application/json']?.schema?.properties?.[name]?.type === 'array');
/** A list route: a GET whose 200 answer has such an array. */
const isList = (method: string, operation: OpenApiOperation) => method === 'get' && listPropertyOf(operation) !== undefined;
/** An object's id as its surface names it (a balance history's: its currency). */
const idOf = (object: { id?: string; accountId?: string; transactionId?: string; client_id?: string; currency?: string }) =>
  object.id ?? object.transactionId ?? object.accountId ?? object.client_id ?? object.currency;

describe('Try-it-out in /docs, with the default values, on every list route', { skip: browserSkip() }, () => {
  let server: TestServer;
  let receiver: Server;
  let browser: Browser;
  let page: Page;
  /** An OAuth client of the tenant, for the token endpoint's Try-it-out. */
  let orgCredentials: { clientId: string; clientSecret: string };
  /** Values for the required path parameters (nothing else is typed in). */
  const pathValues: Record<string, string> = {};
  // Where one operation needs another object than the shared value (bills hang on a billing account, not the org one).
  const operationPathValues: Record<string, Record<string, string>> = {};
  /** The stored objects each list route must show. */
  const expected: Record<string, string[]> = {};
  const offOrigin: string[] = [];

  before(async () => {
    requireChromium();
    receiver = createServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Listening for the browser (and simple-oauth2); the seeding calls go through inject.
    server = await build('sqlite', { listen: true, env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20' } });
    const tenantId = server.tenant.tenant.id;
    const admin = client(server, ADMIN_TOKEN);
    const billing = client(server, server.tenant.keys.test.secret);

    const endpoint = await admin.post(`/admin/v1/tenants/${tenantId}/webhook-endpoints`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, mode: 'test' });
    const customers = await Promise.all([1, 2].map(() => billing.post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'John Doe' })));
    const accounts = await Promise.all(
      [2000, 0].map((balance) =>
        billing.post('/billing/accounts', { customer: customers[0]!.body.id, external_reference: uniqueRef('ACC'), name: 'Subscription Account', currency: 'ZAR', balance }),
      ),
    );
    const accountId: string = accounts[0]!.body.id;
    assert.equal((await billing.patch(`/billing/accounts/${accountId}`, { balance: 5000, currency: 'ZAR' })).status, 200);
    const bill = await billing.post('/billing/bills', { account: accountId, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 1500 });
    assert.equal(bill.status, 201, bill.text);
    const topup = await billing.post('/balance/test/topup', { amount: 5000 });
    assert.equal(topup.status, 200, topup.text);
    const platformAccounts = await Promise.all(['OWNED', 'MANAGED'].map((type) => billing.post('/v2/accounts', { email: 'owner@example.com', type, public_profile: { business_name: 'Shop' } })));
    const email = await admin.post(`/admin/v1/tenants/${tenantId}/emails`, { to: 'ops@example.com', subject: 'Test', text: 'Hello' });
    const idsOf = async (path: string, key: string) => ((await call(server, 'GET', path, undefined, { key })).body.data as { id: string }[]).map((o) => o.id);
    // Deliveries exist once the outbox worker has fanned the events out.
    const deliveries = await waitFor(async () => {
      const ids = await idsOf(`/admin/v1/tenants/${tenantId}/webhook-deliveries`, ADMIN_TOKEN);
      return ids.length >= 7 ? ids : null;
    }, UI_TIMEOUT_MS, 'webhook deliveries of the seven billing events');

    // The org surface: an access token from its token endpoint, two accounts, two transactions.
    const { newOAuthClient, orgClient, tokenFor } = await import('../org/org-client.js');
    const orgClientCredentials = await newOAuthClient(server);
    orgCredentials = orgClientCredentials;
    const orgToken = await tokenFor(server.baseUrl, orgClientCredentials);
    const org = orgClient(server, orgToken);
    const orgAccounts = await Promise.all(['Budget A', 'Budget B'].map(async (name) => (await org.post('/v1/accounts', { name, currencyCode: 'USD' })).body.account.accountId as string));
    const orgTransactions = [];
    for (const units of ['10', '-3']) orgTransactions.push((await org.post(`/v1/accounts/${orgAccounts[0]}/transactions`, { amount: { currencyCode: 'USD', units, nanos: 0 }, adjustment: {} })).body.transaction.transactionId as string);

    // The testing API's lists: a fault on a path nothing here requests, and the outbox seeded above.
    const fault = await billing.post('/testing/v1/faults', { path: '/billing/nothing-here', status: 500 });
    assert.equal(fault.status, 201, fault.text);
    const testEvents = await idsOf('/testing/v1/events', server.tenant.keys.test.secret);

    Object.assign(pathValues, { account: accountId, tenantId, accountId: orgAccounts[0] });
    operationPathValues.listDirectoryAccountBills = { accountId };
    // The testing API (SPEC §7): a snapshot of the tenant's test mode.
    const snapshot = await call(server, 'POST', '/testing/v1/snapshots', { name: 'docs' }, { key: server.tenant.keys.test.secret });
    assert.equal(snapshot.status, 201, snapshot.text);

    Object.assign(expected, {
      listTestSnapshots: [snapshot.body.id],
      listTenantTestSnapshots: [snapshot.body.id],
      listBillingCustomers: [...customers.map((c) => c.body.id), ...accounts.map((a) => a.body.customer_id)],
      listBillingAccounts: accounts.map((a) => a.body.id),
      listBillingBills: [bill.body.id],
      listDirectoryAccountBills: [bill.body.id],
      listBillingAccountLedgerEntries: await idsOf(`/billing/accounts/${accountId}/ledger_entries`, server.tenant.keys.test.secret),
      listTenantKeys: await idsOf(`/admin/v1/tenants/${tenantId}/keys`, ADMIN_TOKEN),
      listTenants: [tenantId],
      listWebhookEndpoints: [endpoint.body.id],
      listWebhookDeliveries: deliveries,
      listEmails: [email.body.id],
      listPlatformAccounts: platformAccounts.map((a) => a.body.id),
      listPlatformTransactions: await idsOf('/transactions', server.tenant.keys.test.secret),
      listOrgAccounts: orgAccounts,
      listOrgTransactions: orgTransactions,
      listTenantOAuthClients: [orgClientCredentials.clientId],
      listDirectoryAccounts: [...customers, ...accounts, ...platformAccounts].map((o) => o.body.id as string).concat(orgAccounts),
      listDirectoryAccountLedgerEntries: orgTransactions,
      retrieveDirectoryAccountBalanceHistory: ['USD'],
      retrieveDirectoryAccountBalancesAsOf: ['USD'],
      listDirectoryAccountEvents: await idsOf(`/admin/v1/tenants/${tenantId}/accounts/${orgAccounts[0]}/events`, ADMIN_TOKEN),
      listTestFaults: [fault.body.id],
      listTestEvents: testEvents,
      listTestEmails: [email.body.id],
    });
    assert.ok(testEvents.length >= 6, 'the seeded test-mode events');
    assert.equal(expected.listBillingAccountLedgerEntries!.length, 2);
    assert.equal(expected.listPlatformTransactions!.length, 1, 'the top-up, as a TOPUP transaction of the platform');

    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('request', (request) => {
      if (!request.url().startsWith(server.baseUrl) && !request.url().startsWith('data:')) offOrigin.push(request.url());
    });
    await page.goto(`${server.baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();
    await authorize(page, { billingSecretKey: server.tenant.keys.test.secret, adminToken: ADMIN_TOKEN, platformBearer: server.tenant.keys.test.secret, orgBearer: orgToken, testingBearer: server.tenant.keys.test.secret });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    receiver?.close();
  });

  test('each list route answers 200 in the page and shows the stored objects', async () => {
    const lists = operationsOf(await servedDocument(server)).filter(({ method, operation }) => isList(method, operation));
    assert.deepEqual(lists.map(({ operation }) => operation.operationId).sort(), Object.keys(expected).sort(), 'every list route has stored objects to show');
    for (const { path, operation } of lists) {
      const id = operation.operationId!;
      const block = page.locator(`#operations-${operation.tags![0]}-${id}`);
      await block.locator('.opblock-summary-control').click();
      await block.locator('button.try-out__btn').click();
      for (const parameter of operation.parameters ?? []) {
        if (!parameter.required) continue;
        assert.equal(parameter.in, 'path', `${id}: only path parameters may be required (${parameter.in} ${parameter.name} is)`);
        const value = operationPathValues[id]?.[parameter.name] ?? pathValues[parameter.name];
        assert.ok(value, `${id}: no value for its path parameter ${parameter.name}`);
        await block.locator(`tr[data-param-name="${parameter.name}"] input`).fill(value);
      }
      await block.locator('button.execute').click();
      const status = block.locator('.live-responses-table .response .response-col_status');
      await status.waitFor();
      const requestUrl = await block.locator('.request-url pre').innerText();
      await withScreenshotOnFailure(block, `${ARTIFACTS}${id}.png`, async () => {
        assert.equal((await status.innerText()).trim(), '200', `${id}: ${requestUrl}`);
        const body = JSON.parse(await block.locator('.live-responses-table .response-col_description .highlight-code pre').innerText()) as Record<string, { id?: string }[]>;
        const shown = body[listPropertyOf(operation)!]!.map(idOf);
        for (const stored of expected[id]!) assert.ok(shown.includes(stored), `${id} (${path}): ${stored} missing from the page's answer to ${requestUrl}`);
      });
      // Closed again: Swagger UI re-renders every open operation on each change, so the page
      // would slow down with each route left open (from about 3 s a route to 15 s).
      await block.locator('.opblock-summary-control').click();
      await block.locator('.opblock-body').waitFor({ state: 'detached' });
    }
    assert.deepEqual(offOrigin, [], 'the docs page requests nothing outside this server');
  });

  test("the org token endpoint's Try-it-out, with the form the page shows, answers an access token that the org list routes accept", async () => {
    const token = (await servedDocument(server)).paths['/oauth2/token']!.post!;
    const block = page.locator(`#operations-${token.tags![0]}-${token.operationId}`);
    await block.locator('.opblock-summary-control').click();
    await block.locator('button.try-out__btn').click();
    const field = (name: string) => block.locator('.opblock-section-request-body tr', { hasText: name }).locator('input').first();
    await field('client_id').fill(orgCredentials.clientId);
    await field('client_secret').fill(orgCredentials.clientSecret);
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status');
    await status.waitFor();
    await withScreenshotOnFailure(block, `${ARTIFACTS}${token.operationId}.png`, async () => {
      assert.equal((await status.innerText()).trim(), '200', await block.locator('.live-responses-table').innerText());
    });
    const answer = JSON.parse(await block.locator('.live-responses-table .response-col_description .highlight-code pre').innerText()) as { access_token: string; token_type: string };
    assert.equal(answer.token_type, 'Bearer');
    const listed = await call(server, 'GET', '/v1/accounts', undefined, { headers: { authorization: `Bearer ${answer.access_token}` } });
    assert.equal(listed.status, 200, listed.text);
  });
});

/**
 * Runs the checks of one operation's answer; when one fails, the operation is captured first
 * (test-artifacts/try-it-out/<operationId>.png). Only then: a capture of an operation with its
 * whole answer (up to 4,600 px tall) costs about 1.5 s of CPU, Chromium's included, and every
 * route's cost this file 30 of its 78 s of CPU.
 */
async function withScreenshotOnFailure(block: Locator, path: string, checks: () => Promise<void>): Promise<void> {
  try {
    await checks();
  } catch (error) {
    await block.screenshot({ path }).catch(() => undefined);
    throw error;
  }
}

/** The Authorize dialog: one bearer value per security scheme, then closed. */
async function authorize(page: Page, values: Record<string, string>): Promise<void> {
  await page.locator('.auth-wrapper button.authorize').click();
  for (const [scheme, value] of Object.entries(values)) {
    const form = page.locator('.modal-ux .auth-container').filter({ has: page.locator('h4', { hasText: scheme }) });
    await form.locator('input').fill(value);
    await form.locator('button.authorize').click();
    await form.locator('h6', { hasText: 'Authorized' }).waitFor();
  }
  await page.locator('.modal-ux button.btn-done').first().click();
  await page.locator('.modal-ux').waitFor({ state: 'detached' });
}
