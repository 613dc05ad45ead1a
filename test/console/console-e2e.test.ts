import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkip, launchChromium, requireChromium } from '../support/browser.js';
import { call, client, uniqueRef } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { newOAuthClient, orgClient, tokenFor, usd, type OrgApi } from '../org/org-client.js';
import { platformClient, topUp, type PlatformClient } from '../platform/platform-api.js';
import { REPO_ROOT } from '../support/repo-root.js';

// The operator console (/console) in a real browser, as an operator uses it: Debian's Chromium
// driven by playwright-core signs in, walks every page, and changes keys, an account's status,
// low-balance settings and a webhook delivery; each change is checked through the real APIs.
// Every page is screenshot at 1280 and 390 px (test-artifacts/console/) and checked by axe.

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/console/');
const UI_TIMEOUT_MS = 15_000;
const WIDTHS = [1280, 390];
/** axe findings that fail the test; moderate and minor ones are printed only. */
const BLOCKING_IMPACTS = ['serious', 'critical'];

interface Seeded {
  tenantId: string;
  tenantName: string;
  billingAccount: { id: string; name: string; billReference: string };
  platformAccount: { id: string; email: string; name: string };
  orgAccount: { id: string; name: string };
  endpointId: string;
  emailTo: string;
}

describe('the operator console in a browser: every page, at 1280 and 390 px, with axe', { skip: browserSkip() }, () => {
  let server: TestServer;
  let receiver: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let platform: PlatformClient;
  let org: OrgApi;
  let seeded: Seeded;
  /** The tenant the tenants page creates (for the tenant picker). */
  let createdTenant: string;
  const offOrigin: string[] = [];
  const admin = (method: string, path: string, body?: unknown) => call(server, method, `/admin/v1${path}`, body, { key: ADMIN_TOKEN });
  const consoleUrl = (path: string) => `${server.baseUrl}/console${path}`;

  /** Screenshots at each width, no sideways scrolling of the page, and no serious or critical axe finding. */
  async function checkPage(name: string): Promise<void> {
    const blocking: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      // Charts re-measure their box after a resize (a ResizeObserver): the page settles, or the check fails.
      const fits = () => document.documentElement.scrollWidth <= document.documentElement.clientWidth;
      await page.waitForFunction(fits, undefined, { timeout: UI_TIMEOUT_MS }).catch(() => undefined);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      assert.ok(scrollWidth <= clientWidth, `${name} at ${width} px scrolls sideways: ${scrollWidth} px of content in ${clientWidth} px`);
      await page.screenshot({ path: `${ARTIFACTS}${name}-${width}.png`, fullPage: true });
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const violation of violations) {
        const where = violation.nodes.map((node) => node.target.join(' ')).join(' | ');
        const line = `${name} at ${width} px: ${violation.impact} ${violation.id} (${violation.help}): ${where}`;
        if (BLOCKING_IMPACTS.includes(violation.impact ?? '')) blocking.push(line);
        else console.log(`axe (not blocking) ${line}`);
      }
    }
    await page.setViewportSize({ width: WIDTHS[0]!, height: 900 });
    if (blocking.length > 0) console.log(`axe:\n${blocking.join('\n')}`);
    assert.deepEqual(blocking, [], `${name}: axe found serious or critical violations`);
  }

  const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const mainNav = () => page.getByRole('navigation', { name: 'Main' });
  const statusSaying = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });

  before(async () => {
    requireChromium();
    // Webhooks go to a receiver that is down: every delivery fails, retries once after 0.1 s, then is failed.
    receiver = createServer((_request, response) => response.writeHead(500).end('down'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Listening for the browser (and simple-oauth2); the seeding and checking calls go through inject.
    server = await build('sqlite', { listen: true, env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20', SUBLEDGER_RETRY_SCHEDULE: '0.1' } });
    seeded = await seedThroughTheApis();

    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: WIDTHS[0]!, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${server.baseUrl}/`) && !url.startsWith('data:')) offOrigin.push(url);
    });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  });

  /** One account of each surface, with money moved, events, failing deliveries and an e-mail. */
  async function seedThroughTheApis(): Promise<Seeded> {
    const tenantId = server.tenant.tenant.id;
    const endpoint = await admin('POST', `/tenants/${tenantId}/webhook-endpoints`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, mode: 'test' });
    assert.equal(endpoint.status, 201, endpoint.text);

    const billing = client(server, server.tenant.keys.test.secret);
    const customer = await billing.post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'Zoë Zebra', email: `${uniqueRef('zoe').toLowerCase()}@example.com` });
    assert.equal(customer.status, 201, customer.text);
    const billingName = `Zebra subscription ${uniqueRef('S')}`;
    const account = await billing.post('/billing/accounts', { customer: customer.body.id, external_reference: uniqueRef('ACC'), name: billingName, currency: 'ZAR', balance: 2000 });
    assert.equal(account.status, 201, account.text);
    const patched = await billing.patch(`/billing/accounts/${account.body.id}`, { balance: 5000, currency: 'ZAR' });
    assert.equal(patched.status, 200, patched.text);
    // A bill of the account, part paid through the testing API (SPEC §3b): the account page lists it.
    const bill = await billing.post('/billing/bills', { account: account.body.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 2000, payment_rules: { min_amount: 1, max_amount: 2000, underpayment_allowed: true, overpayment_allowed: false } });
    assert.equal(bill.status, 201, bill.text);
    const paid = await billing.post('/testing/v1/billing/payments', { bill: bill.body.id, amount: 1500, currency: 'ZAR' });
    assert.equal(paid.status, 201, paid.text);

    platform = platformClient(server, server.tenant.keys.test.secret);
    const platformEmail = `${uniqueRef('pat').toLowerCase()}@example.com`;
    const platformName = 'Zest Traders';
    const subAccount = await platform.post('/v2/accounts', { email: platformEmail, type: 'OWNED', public_profile: { business_name: platformName } });
    assert.equal(subAccount.status, 200, subAccount.text);
    const subAccountId = subAccount.body.id as string;
    await topUp(platform, '300', subAccountId);
    await topUp(platform, '5000');
    const transfer = await platform.postRaw('/transfers', JSON.stringify({ reference: uniqueRef('TR'), amount: 1200, source_user_id: tenantId, destination_user_id: subAccountId }));
    assert.equal(transfer.status, 200, transfer.text);

    org = orgClient(server, await tokenFor(server.baseUrl, await newOAuthClient(server)));
    const orgName = `Zenith research ${uniqueRef('R')}`;
    const orgAccount = await org.post('/v1/accounts', { name: orgName, currencyCode: 'USD' });
    assert.equal(orgAccount.status, 200, orgAccount.text);
    const orgAccountId = orgAccount.body.account.accountId as string;
    const credited = await org.post(`/v1/accounts/${orgAccountId}/transactions`, { amount: usd(40), description: 'grant', topup: { reference: 'grant-1', paymentType: 'API' } });
    assert.equal(credited.status, 200, credited.text);

    const emailTo = `${uniqueRef('ops').toLowerCase()}@example.com`;
    const email = await admin('POST', `/tenants/${tenantId}/emails`, { to: emailTo, subject: 'Console check', text: 'Hello' });
    assert.equal(email.status, 201, email.text);

    // The sub-account's first event has a delivery that has failed for good before the UI re-sends it.
    await waitFor(
      async () => {
        const events = await admin('GET', `/tenants/${tenantId}/accounts/${subAccountId}/events`);
        return (events.body.data as { deliveries: { status: string }[] }[]).some((event) => event.deliveries.some((delivery) => delivery.status === 'failed'));
      },
      UI_TIMEOUT_MS,
      "a failed delivery of the sub-account's events",
    );
    return {
      tenantId,
      tenantName: server.tenant.tenant.name,
      billingAccount: { id: account.body.id, name: billingName, billReference: bill.body.external_reference },
      platformAccount: { id: subAccountId, email: platformEmail, name: platformName },
      orgAccount: { id: orgAccountId, name: orgName },
      endpointId: endpoint.body.id,
      emailTo,
    };
  }

  test('sign-in: a signed-out visit is sent there; a wrong token is refused in an alert, the right one opens the tenants', async () => {
    await page.goto(consoleUrl('/'));
    await heading('Sign in').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/sign-in');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/console/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content', 'the skip link comes first');
    await page.getByLabel('Admin token').fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong admin token' }).waitFor();
    await checkPage('sign-in');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Tenants').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/');
  });

  test('tenants: the list links each tenant; a created tenant shows its six keys once', async () => {
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: seeded.tenantName, exact: true }).waitFor();
    const name = `Console tenant ${uniqueRef('T')}`;
    createdTenant = name;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const newKeys = page.getByRole('region', { name: 'New keys' });
    await newKeys.waitFor();
    const keys = await newKeys.locator('code').allInnerTexts();
    assert.deepEqual(keys.map((key) => key.slice(0, 8)), ['sk_test_', 'pk_test_', 'xnd_deve', 'sk_live_', 'pk_live_', 'xnd_prod']);
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name, exact: true }).waitFor();
    // The shown test secret key is the new tenant's: it lists the tenant's (empty) billing customers.
    const customers = await client(server, keys[0]!).get('/billing/customers');
    assert.equal(customers.status, 200, customers.text);
    assert.deepEqual(customers.body.data, []);
    await checkPage('tenants');
    await newKeys.getByRole('button', { name: 'I have copied it' }).click();
    await newKeys.waitFor({ state: 'detached' });
    await page.reload();
    await heading('Tenants').waitFor();
    assert.equal(await page.getByRole('region', { name: 'New keys' }).count(), 0, 'the keys are not shown again');
  });

  test('tenant: its callback token; a key created, rotated and revoked, each new secret shown once; an OAuth client created', async () => {
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: seeded.tenantName, exact: true }).click();
    await heading(seeded.tenantName).waitFor();
    const stored = await admin('GET', `/tenants/${seeded.tenantId}`);
    assert.equal(await page.getByLabel('Callback token').inputValue(), stored.body.callback_token);

    const createKey = page.getByRole('form', { name: 'Create key' });
    await createKey.getByLabel('Mode').selectOption('test');
    await createKey.getByLabel('Type').selectOption('secret');
    await createKey.getByRole('button', { name: 'Create key' }).click();
    const created = await shownKey();
    assert.equal((await client(server, created.key).get('/billing/customers')).status, 200, 'the created key works');

    await page.getByRole('button', { name: `Rotate key ${created.id}` }).click();
    await statusSaying(`Key ${created.id} rotated`).waitFor();
    const rotated = await shownKey();
    assert.notEqual(rotated.id, created.id);
    // A revoked key is refused as revoked (403), not as unknown.
    assert.equal((await client(server, created.key).get('/billing/customers')).status, 403, 'the rotated-out key is revoked');
    assert.equal((await client(server, rotated.key).get('/billing/customers')).status, 200, 'its replacement works');
    assert.equal(await page.getByRole('button', { name: `Rotate key ${created.id}` }).count(), 0, 'a revoked key offers no actions');

    await page.getByRole('button', { name: `Revoke key ${rotated.id}` }).click();
    await statusSaying(`Key ${rotated.id} revoked.`).waitFor();
    await page.getByRole('region', { name: 'New key', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await client(server, rotated.key).get('/billing/customers')).status, 403, 'the revoked key no longer works');

    const createClient = page.getByRole('form', { name: 'Create client' });
    await createClient.getByLabel('Client name').fill('console e2e client');
    await createClient.getByLabel('Mode').selectOption('test');
    await createClient.getByLabel('transactions.write').uncheck();
    await createClient.getByRole('button', { name: 'Create client' }).click();
    const secretRegion = page.getByRole('region', { name: 'New client secret' });
    await secretRegion.waitFor();
    const [clientId, clientSecret] = await secretRegion.locator('code').allInnerTexts();
    const clients = await admin('GET', `/tenants/${seeded.tenantId}/oauth-clients`);
    const listed = (clients.body.data as { client_id: string; roles: string[] }[]).find((c) => c.client_id === clientId);
    assert.deepEqual(listed?.roles, ['accounts.read', 'accounts.write', 'transactions.read']);
    assert.ok(await tokenFor(server.baseUrl, { clientId: clientId!, clientSecret: clientSecret! }), 'the shown client secret gets a token');
    await checkPage('tenant');
  });

  /** The key in the "New key" region, and its id from the region's label. */
  async function shownKey(): Promise<{ id: string; key: string }> {
    const region = page.getByRole('region', { name: 'New key', exact: true });
    await region.waitFor();
    const label = await region.locator('.secret-label').innerText();
    const key = await region.locator('code').innerText();
    const id = /key (key_[0-9A-Za-z]+)/.exec(label)?.[1];
    assert.ok(id, `no key id in "${label}"`);
    return { id, key };
  }

  test('accounts: found by e-mail and by name; the filters stay in the URL across a reload', async () => {
    await mainNav().getByRole('link', { name: 'Accounts' }).click();
    await heading('Accounts').waitFor();
    await page.getByLabel('Search accounts').fill(seeded.platformAccount.email);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('region', { name: 'Accounts found' });
    await results.getByRole('link', { name: seeded.platformAccount.name }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('q'), seeded.platformAccount.email);

    await page.getByLabel('Search accounts').fill(seeded.billingAccount.name.slice(0, 14).toUpperCase());
    await page.getByLabel('Surface').selectOption('billing');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await results.getByRole('link', { name: seeded.billingAccount.name }).waitFor();
    await page.reload();
    await results.getByRole('link', { name: seeded.billingAccount.name }).waitFor();
    assert.equal(await page.getByLabel('Surface').inputValue(), 'billing');
    assert.equal(await page.getByLabel('Search accounts').inputValue(), seeded.billingAccount.name.slice(0, 14).toUpperCase());
    assert.equal(await results.getByRole('link', { name: seeded.platformAccount.name }).count(), 0, 'the surface filter keeps the platform account out');
    await checkPage('accounts');

    // Pages of two, newest first, through "Next page": every account once, as the API lists them.
    const all = await admin('GET', `/tenants/${seeded.tenantId}/accounts?limit=100`);
    const expected = (all.body.data as { id: string }[]).map((account) => account.id);
    assert.ok(expected.length > 2, all.text);
    await page.goto(consoleUrl(`/tenants/${seeded.tenantId}/accounts?limit=2`));
    const shownIds = () => results.locator('tbody td:nth-child(2) code').allInnerTexts();
    await results.locator('tbody td:nth-child(2) code').first().waitFor();
    const seen: string[] = [];
    for (let pages = 1; ; pages += 1) {
      const shown = await shownIds();
      seen.push(...shown);
      const next = page.getByRole('button', { name: 'Next page' });
      if ((await next.count()) === 0) break;
      assert.ok(pages < expected.length, 'the pages end');
      await next.click();
      // The page shows the previous results until the next ones arrive.
      await waitFor(async () => (await shownIds())[0] !== shown[0], UI_TIMEOUT_MS, 'the next page of accounts');
      assert.ok(new URL(page.url()).searchParams.has('cursor'), 'the cursor is in the URL');
    }
    assert.deepEqual(seen, expected);
  });

  test('account: balances, a chart with its text alternative, the ledger as a timeline', async () => {
    await page.getByRole('region', { name: 'Accounts found' }).getByRole('link', { name: seeded.billingAccount.name }).click();
    await heading(seeded.billingAccount.name).waitFor();
    const detail = await admin('GET', `/tenants/${seeded.tenantId}/accounts/${seeded.billingAccount.id}`);
    const balances = page.getByRole('region', { name: 'Balance per currency' });
    for (const balance of detail.body.balances as { currency: string; amount: string }[]) {
      await balances.getByRole('row').filter({ hasText: balance.currency }).filter({ hasText: balance.amount }).waitFor();
    }
    const chart = page.getByRole('img', { name: /ZAR balance over time/ });
    await chart.waitFor();
    await chart.locator('svg path.recharts-line-curve').waitFor();
    // One step per change, evenly spaced whatever the time between changes: a burst is not squeezed into one line.
    const dots = (await chart.locator('svg .recharts-line-dots circle').evaluateAll((circles) => circles.map((circle) => Number(circle.getAttribute('cx'))))) as number[];
    assert.ok(dots.length >= 2, `dots at ${JSON.stringify(dots)}`);
    const gaps = dots.slice(1).map((x, i) => x - dots[i]!);
    assert.ok(gaps.every((gap) => gap > 10 && Math.abs(gap - gaps[0]!) < 1), `evenly spaced dots: ${JSON.stringify(dots)}`);

    const ledger = await admin('GET', `/tenants/${seeded.tenantId}/accounts/${seeded.billingAccount.id}/ledger-entries`);
    const entries = ledger.body.data as { id: string; balance_after: string; kind: string }[];
    assert.ok(entries.length >= 2, ledger.text);
    const timeline = page.getByRole('list', { name: 'Ledger entries, newest first' });
    await timeline.getByRole('listitem').nth(entries.length - 1).waitFor();
    assert.equal(await timeline.getByRole('listitem').count(), entries.length);
    const newest = timeline.getByRole('listitem').first();
    assert.match(await newest.innerText(), new RegExp(`Balance after\\s+${entries[0]!.balance_after.replace('.', '\\.')} ZAR`));
    assert.ok((await newest.innerText()).includes(entries[0]!.id));
    const bills = page.getByRole('region', { name: 'Bills, newest first' });
    await bills.getByRole('row').filter({ hasText: seeded.billingAccount.billReference }).filter({ hasText: 'unpaid' }).filter({ hasText: '20.00 ZAR' }).filter({ hasText: '15.00' }).filter({ hasText: '5.00' }).waitFor();
    await checkPage('account-billing');
  });

  test('platform account: a failed delivery re-sent shows its attempt count rise; its status moved, as GET /v2/accounts/:id confirms', async () => {
    await page.goto(consoleUrl(`/tenants/${seeded.tenantId}/accounts/${seeded.platformAccount.id}`));
    await heading(seeded.platformAccount.name).waitFor();
    const events = await admin('GET', `/tenants/${seeded.tenantId}/accounts/${seeded.platformAccount.id}/events`);
    const failed = (events.body.data as { deliveries: { id: string; status: string; attempts: number }[] }[]).flatMap((event) => event.deliveries).find((delivery) => delivery.status === 'failed');
    assert.ok(failed, events.text);
    const resend = page.getByRole('button', { name: `Re-send delivery ${failed.id}` });
    const row = page.getByRole('row').filter({ has: resend });
    assert.equal(await row.locator('td[data-label="attempts"]').innerText(), String(failed.attempts));
    await resend.click();
    await statusSaying(`Delivery ${failed.id} re-sent: ${failed.attempts + 1} attempts now`).waitFor();
    assert.equal(await row.locator('td[data-label="attempts"]').innerText(), String(failed.attempts + 1));
    const reread = await admin('GET', `/tenants/${seeded.tenantId}/webhook-deliveries/${failed.id}`);
    assert.equal(reread.body.attempts.length, failed.attempts + 1);

    const moveStatus = page.getByRole('form', { name: 'Move status' });
    const before = (await platform.get(`/v2/accounts/${seeded.platformAccount.id}`)).body.status as string;
    const allowed = await moveStatus.getByLabel('New status').locator('option').allInnerTexts();
    const target = allowed[0]!;
    assert.ok(target && target !== before, `a move from ${before}: ${allowed.join(', ')}`);
    await moveStatus.getByLabel('New status').selectOption(target);
    await checkPage('account-platform');
    await moveStatus.getByRole('button', { name: 'Move status' }).click();
    await statusSaying(`Status moved from ${before} to ${target}.`).waitFor();
    await page.getByText(`Current status: ${target}`).waitFor();
    const read = await platform.get(`/v2/accounts/${seeded.platformAccount.id}`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.status, target);
  });

  test('org account: low-balance settings saved, as the org API reads them back', async () => {
    await page.goto(consoleUrl(`/tenants/${seeded.tenantId}/accounts?q=${encodeURIComponent(seeded.orgAccount.name)}`));
    await page.getByRole('region', { name: 'Accounts found' }).getByRole('link', { name: seeded.orgAccount.name }).click();
    await heading(seeded.orgAccount.name).waitFor();
    const form = page.getByRole('form', { name: 'Low-balance notification' });
    await form.getByLabel('Notify').check();
    await form.getByLabel('Notification e-mail').fill('finance@example.com');
    await form.getByLabel('Threshold').fill('25.50');
    await form.getByRole('button', { name: 'Save low-balance settings' }).click();
    await statusSaying('Low-balance settings saved').waitFor();
    const read = await org.get(`/v1/accounts/${seeded.orgAccount.id}`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.account.lowBalance, { hasNotification: true, notificationEmail: 'finance@example.com', threshold: usd(25, 500_000_000) });
    await checkPage('account-org');
  });

  test('webhooks: the endpoint and its failed deliveries; an endpoint added (secret shown once) and deleted', async () => {
    await mainNav().getByRole('link', { name: 'Webhooks' }).click();
    await heading('Webhooks').waitFor();
    await page.getByRole('region', { name: 'Webhook endpoints' }).getByRole('row').filter({ hasText: seeded.endpointId }).waitFor();
    await page.getByLabel('Delivery status').selectOption('failed');
    const deliveries = page.getByRole('region', { name: 'Webhook deliveries, newest first' });
    await deliveries.getByRole('button', { name: /^Re-send delivery / }).first().waitFor();
    assert.equal(new URL(page.url()).searchParams.get('status'), 'failed');
    const statuses = await deliveries.locator('tbody .badge').allInnerTexts();
    assert.ok(statuses.length > 0 && statuses.every((status) => status === 'failed'), statuses.join(', '));

    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/other-hooks`;
    await page.getByLabel('Endpoint URL').fill(url);
    await page.getByRole('form', { name: 'Add endpoint' }).getByLabel('Mode').selectOption('test');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByRole('region', { name: 'New endpoint secret' });
    await secret.waitFor();
    assert.match(await secret.locator('code').innerText(), /^whsec_/);
    const listed = await admin('GET', `/tenants/${seeded.tenantId}/webhook-endpoints`);
    const added = (listed.body.data as { id: string; url: string }[]).find((endpoint) => endpoint.url === url);
    assert.ok(added, listed.text);
    await checkPage('webhooks');
    await page.getByRole('button', { name: `Delete endpoint ${added.id}` }).click();
    await statusSaying(`Endpoint ${added.id} deleted.`).waitFor();
    const after = await admin('GET', `/tenants/${seeded.tenantId}/webhook-endpoints`);
    assert.ok(!(after.body.data as { id: string }[]).some((endpoint) => endpoint.id === added.id));
  });

  test('e-mails: the queued e-mail with its status', async () => {
    await mainNav().getByRole('link', { name: 'E-mails' }).click();
    await heading('E-mails').waitFor();
    const row = page.getByRole('region', { name: 'E-mails, newest first' }).getByRole('row').filter({ hasText: seeded.emailTo });
    await row.waitFor();
    assert.match(await row.innerText(), /Console check/);
    await checkPage('emails');

    // The tenant picker changes the tenant in the URL and keeps the page: the other tenant has no e-mails.
    const picker = page.getByLabel('Tenant', { exact: true });
    const other = await picker.locator('option', { hasText: createdTenant }).getAttribute('value');
    assert.ok(other);
    await picker.selectOption(other);
    await page.waitForURL((url) => url.pathname === `/console/tenants/${other}/emails`);
    await heading('E-mails').waitFor();
    await page.getByRole('region', { name: 'E-mails, newest first' }).getByText('No e-mails.').waitFor();
    await picker.selectOption(seeded.tenantId);
    await row.waitFor();
  });

  test("tenant's test mode: a snapshot taken, the clock advanced a day, the snapshot restored and the test data reset, each as the testing API reads it back", async () => {
    const tenant = await admin('POST', '/tenants', { name: 'console test mode' });
    assert.equal(tenant.status, 201, tenant.text);
    const billing = client(server, tenant.body.keys.test.secret);
    const kept = await billing.post('/billing/customers', { external_reference: 'KEPT' });
    assert.equal(kept.status, 201, kept.text);
    const ids = async () => ((await billing.get('/billing/customers')).body.data as { id: string }[]).map((c) => c.id);
    await page.goto(consoleUrl(`/tenants/${tenant.body.id}`));
    const section = page.getByRole('region', { name: 'Test mode' });
    await section.getByText('(running)').waitFor();

    await section.getByLabel('Name (optional)').fill('one customer');
    await section.getByRole('button', { name: 'Take snapshot' }).click();
    await section.getByRole('cell', { name: 'one customer', exact: true }).waitFor();

    const before = Date.parse((await call(server, 'GET', '/testing/v1/clock', undefined, { key: tenant.body.keys.test.secret })).body.now);
    await section.getByLabel('By').selectOption({ label: '1 day' });
    await section.getByRole('button', { name: 'Advance' }).click();
    await section.getByText(/Test clock advanced to/).waitFor();
    const after = Date.parse((await call(server, 'GET', '/testing/v1/clock', undefined, { key: tenant.body.keys.test.secret })).body.now);
    assert.ok(after - before >= 86_400_000, `the clock moved a day: ${new Date(before).toISOString()} → ${new Date(after).toISOString()}`);

    assert.equal((await billing.post('/billing/customers', { external_reference: 'LATER' })).status, 201);
    await section.getByRole('button', { name: 'Restore snapshot one customer' }).click();
    await section.getByText('Snapshot one customer restored.').waitFor();
    assert.deepEqual(await ids(), [kept.body.id], 'the customer made after the snapshot is gone');

    await section.getByRole('button', { name: 'Reset test data' }).click();
    await section.getByText(/Test data reset: \d+ rows deleted\./).waitFor();
    assert.deepEqual(await ids(), []);
    assert.equal((await billing.get('/billing/customers')).status, 200, 'the keys still work');
  });

  test('ledger audit: the tenant page verifies the ledger; the account page shows balances as of a picked instant', async () => {
    await page.goto(consoleUrl(`/tenants/${seeded.tenantId}`));
    const audit = page.getByRole('region', { name: 'Ledger audit' });
    await audit.getByRole('button', { name: 'Verify ledger' }).click();
    const checked = await admin('POST', `/tenants/${seeded.tenantId}/verify`);
    assert.equal(checked.body.ok, true, checked.text);
    await audit.getByText(/^Ledger verified: \d+ entries on \d+ balances, no problems\.$/).waitFor();

    await page.goto(consoleUrl(`/tenants/${seeded.tenantId}/accounts/${seeded.billingAccount.id}`));
    const asOf = page.getByRole('region', { name: 'Balances as of' });
    // An hour from now in the browser's own time zone, as a datetime-local input takes it.
    const later = await page.evaluate(() => {
      const d = new Date(Date.now() + 3_600_000);
      const two = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    });
    await asOf.getByLabel('Instant (your local time)').fill(later);
    await asOf.getByRole('button', { name: 'Show' }).click();
    const now = await admin('GET', `/tenants/${seeded.tenantId}/accounts/${seeded.billingAccount.id}/balances`);
    assert.deepEqual(now.body.data, [{ currency: 'ZAR', amount: '5000' }]);
    await asOf.getByRole('row').filter({ hasText: 'ZAR' }).filter({ hasText: '5000' }).waitFor();
  });

  test('sign out: the session ends, and /console/ sends to sign-in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    const session = await page.evaluate(async () => (await fetch('/console/api/session', { credentials: 'same-origin' })).status);
    assert.equal(session, 401);
    await page.goto(consoleUrl('/'));
    await heading('Sign in').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/sign-in');
  });

  test('the console requested nothing outside its own server', () => {
    assert.deepEqual(offOrigin, []);
  });
});
