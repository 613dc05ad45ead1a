import { randomBytes } from 'node:crypto';
import type { SubledgerServer } from '../servers.js';
import { defineSurface } from './surface.js';

// The org surface, BidZenith (src/surfaces/org/routes.ts): an access token from the OAuth
// client `npm start` printed, then accounts and transactions (its balance change).

interface OrgContext {
  token: string;
  run: string;
  accountIds: string[];
}

const POOL_SIZE = 200;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (token: string) => ({ ...auth(token), 'content-type': 'application/json' });
const createBody = (run: string, n: number) =>
  JSON.stringify({ name: `Budget ${run}-${n}`, currencyCode: 'USD', lowBalance: { hasNotification: true, notificationEmail: 'finance@example.com', threshold: { currencyCode: 'USD', units: '1', nanos: 0 } } });
const topupBody = (k: number) => JSON.stringify({ amount: { currencyCode: 'USD', units: String(1 + (k % 100)), nanos: 500_000_000 }, topup: { reference: `INV-${k}`, paymentType: 'API' } });

/** An access token for the OAuth client the server printed on its fresh database (valid one hour: longer than a bench run). */
async function tokenOf(server: SubledgerServer): Promise<string> {
  const printed = /test OAuth client:\s+client_id (oac_[0-9A-Za-z]+)\s+client_secret ([0-9A-Za-z]+)/.exec(server.process.output);
  if (!printed) throw new Error(`org setup: the server printed no OAuth client (is the database fresh?)\n${server.process.tail(10)}`);
  const response = await fetch(`${server.base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: printed[1]!, client_secret: printed[2]! }).toString(),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`org setup: POST /oauth2/token answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

async function createPool(server: SubledgerServer, token: string, run: string): Promise<string[]> {
  const ids: string[] = new Array(POOL_SIZE);
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < POOL_SIZE; n = next++) {
      const response = await fetch(`${server.base}/v1/accounts`, { method: 'POST', headers: json(token), body: createBody(`${run}P`, n) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`org setup: POST /v1/accounts answered ${response.status}: ${text.slice(0, 300)}`);
      ids[n] = (JSON.parse(text) as { account: { accountId: string } }).account.accountId;
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return ids;
}

export const org = defineSurface<OrgContext>({
  name: 'org',

  async setup(server) {
    const run = randomBytes(4).toString('hex');
    const token = await tokenOf(server);
    return { token, run, accountIds: await createPool(server, token, run) };
  },

  operations: {
    create: ({ token, run }) => {
      let n = 0;
      return {
        method: 'POST',
        path: '/v1/accounts',
        headers: json(token),
        body: createBody(run, 0),
        expectStatus: 200,
        setupRequest: (request) => {
          n++;
          return { ...request, headers: { ...request.headers, 'idempotency-key': `create-${run}-${n}` }, body: createBody(run, n) };
        },
      };
    },
    get: ({ token, accountIds }) => ({
      method: 'GET',
      path: `/v1/accounts/${accountIds[0]}`,
      headers: auth(token),
      expectStatus: 200,
      setupRequest: (request) => ({ ...request, path: `/v1/accounts/${accountIds[Math.floor(Math.random() * accountIds.length)]}` }),
    }),
    list: ({ token }) => ({ method: 'GET', path: '/v1/accounts?pageSize=10', headers: auth(token), expectStatus: 200 }),
    // A top-up per request, round the pool: each one a posting with its ledger entry.
    balance: ({ token, run, accountIds }) => {
      let k = 0;
      return {
        method: 'POST',
        path: `/v1/accounts/${accountIds[0]}/transactions`,
        headers: json(token),
        body: topupBody(0),
        expectStatus: 200,
        setupRequest: (request) => {
          k++;
          return { ...request, path: `/v1/accounts/${accountIds[k % accountIds.length]}/transactions`, headers: { ...request.headers, 'idempotency-key': `topup-${run}-${k}` }, body: topupBody(k) };
        },
      };
    },
  },
});
