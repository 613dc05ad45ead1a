import { randomBytes } from 'node:crypto';
import type { RequestSpec } from '../load.js';
import type { SubledgerServer } from '../servers.js';
import type { DirectConnection } from '../stores.js';
import { queryRows, sampledTable } from './seeding.js';
import { defineSurface, type Scope } from './surface.js';

// The platform surface, Xendit xenPlatform (src/surfaces/platform/routes.ts): sub-accounts, a
// test-mode top-up as its balance change, and transfers from the platform's own balance to its
// sub-accounts in turn. Every transfer locks that one platform balance: the hot-balance case;
// transfer_spread makes the same transfers between pairs of sub-accounts: its baseline.

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
/**
 * Each sub-account's opening top-up (IDR), for transfer_spread. Its pairs give every sub-account
 * back what it sends (see there), so this only has to cover the transfers in flight: 10^9 IDR
 * covers 20 million transfers of at most 50 out of one sub-account.
 */
const SUB_ACCOUNT_FUNDS = 1_000_000_000;
/** Seeded rows are 10 ms apart, starting 30 days before the bench started (their ids carry it). */
const SEED_EPOCH_MS = (Math.floor(Date.now() / 1000) - 30 * 86_400) * 1000;

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

/** One test-mode top-up of SUB_ACCOUNT_FUNDS per sub-account (`for-user-id`), 20 at a time. */
async function fundPool(server: SubledgerServer, accountIds: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < accountIds.length; n = next++) {
      await post(server, '/balance/test/topup', JSON.stringify({ amount: SUB_ACCOUNT_FUNDS, currency: 'IDR' }), { ...json(server.key), 'for-user-id': accountIds[n]! });
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
}

/** The transfers of `transfer` and `transfer_spread`: `pair(n)` names request n's source and destination. */
function transfers({ key, run }: PlatformContext, tag: string, pair: (n: number) => [string, string]): RequestSpec {
  let k = 0;
  const body = (n: number) => {
    const [source, destination] = pair(n);
    return JSON.stringify({ reference: `${tag}-${run}-${n}`, amount: 1 + (n % 50), currency: 'IDR', source_user_id: source, destination_user_id: destination });
  };
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
}

/** Row i's id as the API makes them (src/ledger/ids.ts newHexId): 12 hex digits of its millisecond, 12 of i (unique). */
const seedId = {
  sqlite: `printf('%012x%012x', ${SEED_EPOCH_MS} + i * 10, i)`,
  postgres: `lpad(to_hex(${SEED_EPOCH_MS} + i * 10), 12, '0') || lpad(to_hex(i), 12, '0')`,
};
/** Row i's created_at: exactly the millisecond its id names. */
const seedTime = {
  sqlite: `strftime('%Y-%m-%dT%H:%M:%S', (${SEED_EPOCH_MS} + i * 10) / 1000, 'unixepoch') || printf('.%03dZ', (${SEED_EPOCH_MS} + i * 10) % 1000)`,
  postgres: `to_char(('epoch'::timestamptz + (${SEED_EPOCH_MS} + i * 10) * interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/**
 * Sub-account i as POST /v2/accounts stores an OWNED one (LIVE, the tenant's country, unique
 * e-mail and business name), in one statement. A sub-account has no balance row until its first
 * posting, and get and list read only this table.
 */
function seedStatement(kind: 'sqlite' | 'postgres'): string {
  const [t, m] = kind === 'sqlite' ? ['@tenant', '@mode'] : ['$1', '$2'];
  // (better-sqlite3 binds a JS number as a REAL: the cast keeps i an integer, as ids need.)
  const rows =
    kind === 'sqlite'
      ? `with recursive s(i) as (select cast(@from as integer) union all select i + 1 from s where i < @to) select i, ${seedTime.sqlite} as ts from s`
      : `select i, ${seedTime.postgres} as ts from generate_series($3::bigint, $4::bigint) as i`;
  return `insert into platform_sub_accounts (tenant_id, mode, id, type, status, email, business_name, description, configurations, country, created_at, updated_at)
    select ${t}, ${m}, ${seedId[kind]}, 'OWNED', 'LIVE', 'seed-shop-' || i || '@example.com', 'Seed Shop ' || i, null, null,
           (select country from tenants where id = ${t}), ts, ts from (${rows}) as seq`;
}

async function seed(connection: DirectConnection, scope: Scope, from: number, to: number): Promise<void> {
  if (connection.kind === 'sqlite') connection.sqlite.prepare(seedStatement('sqlite')).run({ tenant: scope.tenantId, mode: scope.mode, from, to });
  else await connection.pg.query(seedStatement('postgres'), [scope.tenantId, scope.mode, from, to]);
}

export const platform = defineSurface<PlatformContext>({
  name: 'platform',

  async setup(server) {
    const run = randomBytes(4).toString('hex');
    const accountIds = await createPool(server, run);
    await post(server, '/balance/test/topup', JSON.stringify({ amount: PLATFORM_FUNDS, currency: 'IDR' }), json(server.key));
    await fundPool(server, accountIds);
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
    transfer: (context) => transfers(context, 'TRF', (n) => [context.platformId, context.accountIds[n % context.accountIds.length]!]),
    // The same transfers between sub-accounts: request n from the pool's n-th to the one half the pool
    // further on, so the requests in flight (one per connection, fewer than half the pool) touch
    // different balances and none waits for another's lock. Each sub-account gets back exactly what
    // it sent: request n + half the pool has the same amount (half the pool, 100, is a multiple of
    // the 50 amounts) and the reverse direction.
    transfer_spread: (context) => {
      const { accountIds } = context;
      const half = Math.floor(accountIds.length / 2);
      return transfers(context, 'TRS', (n) => [accountIds[n % accountIds.length]!, accountIds[(n + half) % accountIds.length]!]);
    },
    // GET /transactions (SPEC §4b): the first page of the platform's own movements, built from its
    // ledger entries; measured after the transfers, so its balance has as many entries as they made.
    transactions_list: ({ key }) => ({ method: 'GET', path: '/transactions?limit=10', headers: auth(key), expectStatus: 200 }),
  },

  scale: {
    operations: ['get', 'list'],
    seed,
    ...sampledTable('platform_sub_accounts'),
    context: (server, ids) => ({ key: server.key, platformId: server.tenantId, run: randomBytes(4).toString('hex'), accountIds: ids }),
  },

  pgbench: {
    script: 'bench/pg-platform-create.sql',
    asSentScript: 'bench/pg-platform-create-as-sent.sql',
    getScript: 'bench/pg-platform-get.sql',
    async variables(connection, scope) {
      const [row] = await queryRows<{ country: string }>(connection, 'select country from tenants where id = ?', 'select country from tenants where id = $1', [scope.tenantId]);
      return { tenant: scope.tenantId, mode: scope.mode, country: row.country, seed_epoch_ms: String(SEED_EPOCH_MS) };
    },
  },
});
