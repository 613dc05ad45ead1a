import { randomBytes } from 'node:crypto';
import type { SubledgerServer } from '../servers.js';
import type { DirectConnection } from '../stores.js';
import { queryRows, runSeedStatements, sampledTable } from './seeding.js';
import { defineSurface, type Scope } from './surface.js';

// The Moment billing surface (src/surfaces/billing/http/routes.ts): accounts, and bills (bill_create).

interface BillingContext {
  key: string;
  /** Unique per setup: keeps references and idempotency keys unique across runs and servers. */
  run: string;
  /** Accounts that get reads (at random) and balance changes (in turn). */
  accountIds: string[];
}

/** Accounts created through the API before measuring: get and balance use them. */
const POOL_SIZE = 500;
/** Seeded rows are 10 ms apart, the newest a little before the bench started. */
const SEED_EPOCH_S = Math.floor(Date.now() / 1000) - 30 * 86_400;

const BILL_RULES = { min_amount: 100, max_amount: 2000, underpayment_allowed: true, overpayment_allowed: false };

const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const json = (key: string) => ({ ...auth(key), 'content-type': 'application/json' });

/** The body of one create: the README's example, an inline new customer and an opening balance. */
function createBody(run: string, n: number): string {
  return JSON.stringify({
    customer: { external_reference: `CUS-${run}-${n}`, name: 'John Doe' },
    external_reference: `ACC-${run}-${n}`,
    name: 'Subscription Account',
    currency: 'ZAR',
    balance: 2000,
  });
}

async function createPool(server: SubledgerServer, run: string): Promise<string[]> {
  const ids: string[] = new Array(POOL_SIZE);
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < POOL_SIZE; n = next++) {
      const response = await fetch(`${server.base}/billing/accounts`, {
        method: 'POST',
        headers: { ...json(server.key), 'idempotency-key': `pool-${run}-${n}` },
        body: createBody(`${run}P`, n),
      }).catch((error: Error) => {
        throw new Error(`billing setup: POST /billing/accounts failed: ${String(error.cause ?? error.message)}\n${server.process.tail(10)}`);
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`billing setup: POST /billing/accounts answered ${response.status}: ${text.slice(0, 300)}`);
      ids[n] = (JSON.parse(text) as { id: string }).id;
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return ids;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Seed i's base62 time characters, from the millisecond its created_at names (src/ledger/ids.ts). */
const seedIdTime = (kind: 'sqlite' | 'postgres') => {
  const ms = `(${SEED_EPOCH_S * 1000} + i * 10)`;
  const digit = (power: number) => (kind === 'sqlite' ? `substr('${BASE62}', (${ms} / ${62 ** power}) % 62 + 1, 1)` : `substr('${BASE62}', ((${ms} / ${62 ** power}) % 62)::int + 1, 1)`);
  return [7, 6, 5, 4, 3, 2, 1, 0].map(digit).join(' || ');
};
/** Ids as the API makes them: time characters first, so the seeded rows list as the oldest, in order. */
const seedId = (prefix: string) => ({
  sqlite: `'${prefix}_' || ${seedIdTime('sqlite')} || substr('0000000000000' || i, -13)`,
  postgres: `'${prefix}_' || ${seedIdTime('postgres')} || lpad(i::text, 13, '0')`,
});
const seedTime = {
  sqlite: `strftime('%Y-%m-%dT%H:%M:%fZ', ${SEED_EPOCH_S} + i / 100.0, 'unixepoch')`,
  postgres: `to_char(to_timestamp(${SEED_EPOCH_S} + i / 100.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/**
 * Customer i and its account i, as the API would have stored them (ids with the right prefix,
 * unique references, ZAR with a zero balance, so no ledger entry is owed), in one statement each.
 */
function seedStatements(kind: 'sqlite' | 'postgres'): string[] {
  const [t, m] = kind === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
  const rows =
    kind === 'sqlite'
      ? `with recursive s(i) as (select cast(? as integer) union all select i + 1 from s where i < cast(? as integer)) select i, ${seedTime.sqlite} as ts from s`
      : `select i, ${seedTime.postgres} as ts from generate_series($3::bigint, $4::bigint) as i`;
  return [
    `insert into customers (tenant_id, mode, id, external_reference, email, phone, name, currency, balance, payment_rules, metadata, created_at, updated_at)
     select ${t}, ${m}, ${seedId('bcus')[kind]}, 'SEED-CUS-' || i, 'customer' || i || '@example.com', '+27123456789', 'Seed Customer ' || i,
            null, null, null, '{}', ts, ts from (${rows}) as seq`,
    `insert into accounts (tenant_id, mode, id, external_reference, customer_id, name, currency, balance, payment_rules, metadata, created_at, updated_at)
     select ${t}, ${m}, ${seedId('bacc')[kind]}, 'SEED-ACC-' || i, ${seedId('bcus')[kind]}, 'Subscription Account ' || i,
            'ZAR', 0, null, '{"plan":"standard"}', ts, ts from (${rows}) as seq`,
    // The ledger's balance the account's column copies (ZAR, zero, no entries yet).
    `insert into balances (tenant_id, mode, holder_id, currency, amount, sequence, created_at, updated_at)
     select ${t}, ${m}, ${seedId('bacc')[kind]}, 'ZAR', '0', 0, ts, ts from (${rows}) as seq`,
  ];
}

async function seed(connection: DirectConnection, scope: Scope, from: number, to: number): Promise<void> {
  await runSeedStatements(connection, scope, from, to, seedStatements);
}

export const billing = defineSurface<BillingContext>({
  name: 'billing',

  async setup(server) {
    const run = randomBytes(4).toString('hex');
    return { key: server.key, run, accountIds: await createPool(server, run) };
  },

  operations: {
    create: ({ key, run }) => {
      let n = 0;
      return {
        method: 'POST',
        path: '/billing/accounts',
        headers: json(key),
        body: createBody(run, 0),
        expectStatus: 201,
        setupRequest: (request) => {
          n++;
          return { ...request, headers: { ...request.headers, 'idempotency-key': `create-${run}-${n}` }, body: createBody(run, n) };
        },
      };
    },
    get: ({ key, accountIds }) => ({
      method: 'GET',
      path: `/billing/accounts/${accountIds[0]}`,
      headers: auth(key),
      expectStatus: 200,
      setupRequest: (request) => ({ ...request, path: `/billing/accounts/${accountIds[Math.floor(Math.random() * accountIds.length)]}` }),
    }),
    list: ({ key }) => ({ method: 'GET', path: '/billing/accounts?limit=10', headers: auth(key), expectStatus: 200 }),
    // A bill of a pooled account (by id, as the README's example): the account is read, the bill inserted; nothing is posted.
    bill_create: ({ key, run, accountIds }) => {
      let n = 0;
      const body = (i: number) => JSON.stringify({ account: accountIds[i % accountIds.length], external_reference: `BILL-${run}-${i}`, currency: 'ZAR', amount_due: 2000, due_date: '2099-01-31', payment_rules: BILL_RULES });
      return {
        method: 'POST',
        path: '/billing/bills',
        headers: json(key),
        body: body(0),
        expectStatus: 201,
        setupRequest: (request) => {
          n++;
          return { ...request, headers: { ...request.headers, 'idempotency-key': `bill-${run}-${n}` }, body: body(n) };
        },
      };
    },
    // Each request sets a balance no earlier request set on that account, so each one writes a ledger entry.
    balance: ({ key, run, accountIds }) => {
      let k = 0;
      return {
        method: 'PATCH',
        path: `/billing/accounts/${accountIds[0]}`,
        headers: json(key),
        expectStatus: 200,
        setupRequest: (request) => {
          k++;
          return {
            ...request,
            path: `/billing/accounts/${accountIds[k % accountIds.length]}`,
            headers: { ...request.headers, 'idempotency-key': `balance-${run}-${k}` },
            body: JSON.stringify({ balance: 5000 + k, currency: 'ZAR' }),
          };
        },
      };
    },
  },

  scale: {
    operations: ['get', 'list'],
    seed,
    ...sampledTable('accounts'),
    context: (server, ids) => ({ key: server.key, run: randomBytes(4).toString('hex'), accountIds: ids }),
  },

  pgbench: {
    script: 'bench/pg-create.sql',
    asSentScript: 'bench/pg-create-as-sent.sql',
    getScript: 'bench/pg-billing-get.sql',
    async variables(connection, scope) {
      const [row] = await queryRows<{ id: string }>(
        connection,
        "select id from api_keys where tenant_id = ? and mode = ? and type = 'secret'",
        "select id from api_keys where tenant_id = $1 and mode = $2 and type = 'secret'",
        [scope.tenantId, scope.mode],
      );
      // seed_epoch_ms: what getScript derives the seeded ids from (seedId above).
      return { tenant: scope.tenantId, mode: scope.mode, actor: row.id, seed_epoch_ms: String(SEED_EPOCH_S * 1000) };
    },
  },
});
