import { randomBytes } from 'node:crypto';
import type { SubledgerServer } from '../servers.js';
import { defineSurface } from './surface.js';

// The platform surface, Xendit xenPlatform (src/surfaces/platform/routes.ts): sub-accounts, a
// test-mode top-up as its balance change, and transfers from the platform's own balance to its
// sub-accounts in turn. Every transfer locks that one platform balance: the hot-balance case.

interface PlatformContext {
  key: string;
  /** The platform's own user id (the tenant id), the source of every transfer. */
  platformId: string;
  run: string;
  /** LIVE (OWNED) sub-accounts: get reads them at random, top-ups and transfers go round them. */
  accountIds: string[];
}

const POOL_SIZE = 200;
/** IDR, whose amounts are whole rupiah here (docs/decisions.md): enough for every transfer of a run. */
const PLATFORM_FUNDS = 1_000_000_000_000;

// Xendit's own scheme: the secret key as the Basic user name, an empty password.
const auth = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
const json = (key: string) => ({ ...auth(key), 'content-type': 'application/json' });
const createBody = (run: string, n: number) => JSON.stringify({ email: `shop-${run}-${n}@example.com`, type: 'OWNED', public_profile: { business_name: `Shop ${run}-${n}` } });

async function post(server: SubledgerServer, path: string, body: string, headers: Record<string, string>): Promise<any> {
  const response = await fetch(`${server.base}${path}`, { method: 'POST', headers, body }).catch((error: Error) => {
    throw new Error(`platform setup: POST ${path} failed: ${String(error.cause ?? error.message)}\n${server.process.tail(10)}`);
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`platform setup: POST ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function createPool(server: SubledgerServer, run: string): Promise<string[]> {
  const ids: string[] = new Array(POOL_SIZE);
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < POOL_SIZE; n = next++) ids[n] = (await post(server, '/v2/accounts', createBody(`${run}P`, n), json(server.key))).id;
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return ids;
}

export const platform = defineSurface<PlatformContext>({
  name: 'platform',

  async setup(server) {
    const run = randomBytes(4).toString('hex');
    const accountIds = await createPool(server, run);
    await post(server, '/balance/test/topup', JSON.stringify({ amount: PLATFORM_FUNDS, currency: 'IDR' }), json(server.key));
    return { key: server.key, platformId: server.tenantId, run, accountIds };
  },

  operations: {
    create: ({ key, run }) => {
      let n = 0;
      return {
        method: 'POST',
        path: '/v2/accounts',
        headers: json(key),
        body: createBody(run, 0),
        expectStatus: 200,
        setupRequest: (request) => {
          n++;
          return { ...request, headers: { ...request.headers, 'idempotency-key': `create-${run}-${n}` }, body: createBody(run, n) };
        },
      };
    },
    get: ({ key, accountIds }) => ({
      method: 'GET',
      path: `/v2/accounts/${accountIds[0]}`,
      headers: auth(key),
      expectStatus: 200,
      setupRequest: (request) => ({ ...request, path: `/v2/accounts/${accountIds[Math.floor(Math.random() * accountIds.length)]}` }),
    }),
    list: ({ key }) => ({ method: 'GET', path: '/v2/accounts?limit=10', headers: auth(key), expectStatus: 200 }),
    // A test-mode top-up per request, round the pool (`for-user-id`): a posting against EXTERNAL each.
    balance: ({ key, run, accountIds }) => {
      let k = 0;
      return {
        method: 'POST',
        path: '/balance/test/topup',
        headers: json(key),
        body: JSON.stringify({ amount: 100, currency: 'IDR' }),
        expectStatus: 200,
        setupRequest: (request) => {
          k++;
          return { ...request, headers: { ...request.headers, 'for-user-id': accountIds[k % accountIds.length]!, 'idempotency-key': `topup-${run}-${k}` }, body: JSON.stringify({ amount: 100 + (k % 100), currency: 'IDR' }) };
        },
      };
    },
    // From the platform to each sub-account in turn: two entries per request, one of them always on the platform's balance.
    transfer: ({ key, platformId, run, accountIds }) => {
      let k = 0;
      const body = (n: number) => JSON.stringify({ reference: `TRF-${run}-${n}`, amount: 1 + (n % 50), currency: 'IDR', source_user_id: platformId, destination_user_id: accountIds[n % accountIds.length] });
      return {
        method: 'POST',
        path: '/transfers',
        headers: json(key),
        body: body(0),
        expectStatus: 200,
        setupRequest: (request) => {
          k++;
          return { ...request, body: body(k) };
        },
      };
    },
  },
});
