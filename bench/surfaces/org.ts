import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { SubledgerServer } from '../servers.js';
import type { DirectConnection } from '../stores.js';
import { runSeedStatements, sampledTable } from './seeding.js';
import { defineSurface, type Scope } from './surface.js';

// The org surface, BidZenith (src/surfaces/org/routes.ts): an access token from the OAuth
// client `npm start` printed, then accounts and transactions (its balance change).

interface OrgContext {
  token: string;
  run: string;
  accountIds: string[];
}

const POOL_SIZE = 200;
/** Seeded rows are 10 ms apart, starting 30 days before the bench started (their ids carry it). */
const SEED_EPOCH_MS = (Math.floor(Date.now() / 1000) - 30 * 86_400) * 1000;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (token: string) => ({ ...auth(token), 'content-type': 'application/json' });
const createBody = (run: string, n: number) =>
  JSON.stringify({ name: `Budget ${run}-${n}`, currencyCode: 'USD', lowBalance: { hasNotification: true, notificationEmail: 'finance@example.com', threshold: { currencyCode: 'USD', units: '1', nanos: 0 } } });
const topupBody = (k: number) => JSON.stringify({ amount: { currencyCode: 'USD', units: String(1 + (k % 100)), nanos: 500_000_000 }, topup: { reference: `INV-${k}`, paymentType: 'API' } });

/** The token endpoint's answer for these client credentials. @throws unless it is 200 */
async function tokenFor(base: string, clientId: string, secret: string): Promise<string> {
  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).toString(),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`org: POST /oauth2/token answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/** An access token for the OAuth client the server printed on its fresh database (valid one hour: longer than a bench run). */
async function tokenOf(server: SubledgerServer): Promise<string> {
  const printed = /test OAuth client:\s+client_id (oac_[0-9A-Za-z]+)\s+client_secret ([0-9A-Za-z]+)/.exec(server.process.output);
  if (!printed) throw new Error(`org setup: the server printed no OAuth client (is the database fresh?)\n${server.process.tail(10)}`);
  return tokenFor(server.base, printed[1]!, printed[2]!);
}

/**
 * The OAuth client scale.seed stores beside the accounts, by tenant: the scale section's servers
 * start on a database that is not fresh, so they print none, and the harness hands `context` only
 * the server and the ids (see scaleToken).
 */
const scaleClients = new Map<string, { id: string; secret: string }>();

/** Stores an OAuth client with every role for the scope (as `subledger oauth-clients create` would), once per tenant. */
async function seedClient(connection: DirectConnection, scope: Scope): Promise<void> {
  if (scaleClients.has(scope.tenantId)) return;
  const client = { id: `oac_${randomBytes(12).toString('hex').slice(0, 21)}`, secret: randomBytes(32).toString('hex') };
  const row = [scope.tenantId, client.id, scope.mode, 'bench scale', JSON.stringify(['accounts.read', 'accounts.write', 'transactions.read', 'transactions.write']), createHash('sha256').update(client.secret).digest('hex'), new Date().toISOString()];
  const columns = 'tenant_id, id, mode, name, roles, secret_hash, created_at, revoked_at';
  if (connection.kind === 'sqlite') connection.sqlite.prepare(`insert into oauth_clients (${columns}) values (?, ?, ?, ?, ?, ?, ?, null)`).run(...row);
  else await connection.pg.query(`insert into oauth_clients (${columns}) values ($1, $2, $3, $4, $5, $6, $7, null)`, row);
  scaleClients.set(scope.tenantId, client);
}

/**
 * A token from the server's token endpoint for the client seedClient stored, fetched
 * synchronously (a child process) because `scale.context` is synchronous.
 */
function scaleToken(server: SubledgerServer): string {
  const client = scaleClients.get(server.tenantId);
  if (!client) throw new Error(`org scale: no OAuth client was seeded for tenant ${server.tenantId} in this process (scale.seed stores it)`);
  const script = `
    const [base, id, secret] = process.argv.slice(1);
    const response = await fetch(base + '/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }).toString() });
    const text = await response.text();
    if (response.status !== 200) { process.stderr.write(response.status + ' ' + text.slice(0, 300)); process.exit(1); }
    process.stdout.write(JSON.parse(text).access_token);`;
  try {
    return execFileSync(process.execPath, ['--input-type=module', '-e', script, server.base, client.id, client.secret], { encoding: 'utf8', timeout: 30_000 });
  } catch (error) {
    throw new Error(`org scale: POST /oauth2/token failed: ${(error as { stderr?: string }).stderr || (error as Error).message}\n${server.process.tail(10)}`);
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Row i's millisecond: its id's time part and its created_at. */
const seedMs = `(${SEED_EPOCH_MS} + i * 10)`;
/** The base62 time characters of row i's millisecond (src/ledger/ids.ts), as SQL. */
const seedIdTime = (kind: 'sqlite' | 'postgres') => {
  const digit = (power: number) => (kind === 'sqlite' ? `substr('${BASE62}', (${seedMs} / ${62 ** power}) % 62 + 1, 1)` : `substr('${BASE62}', ((${seedMs} / ${62 ** power}) % 62)::int + 1, 1)`);
  return [7, 6, 5, 4, 3, 2, 1, 0].map(digit).join(' || ');
};
/**
 * Row i's id as the API makes them (`oacc_`, 8 time characters, 13 more): the time first, so the
 * seeded rows list in order, below every account the API makes later; then i, for uniqueness.
 * (The same shape as billing's seeded ids; bench/pg-org-get.sql derives it the same way.)
 */
const seedId = {
  sqlite: `'oacc_' || ${seedIdTime('sqlite')} || substr('0000000000000' || i, -13)`,
  postgres: `'oacc_' || ${seedIdTime('postgres')} || lpad(i::text, 13, '0')`,
};
/** Row i's created_at: exactly the millisecond its id names. */
const seedTime = {
  sqlite: `strftime('%Y-%m-%dT%H:%M:%S', ${seedMs} / 1000, 'unixepoch') || printf('.%03dZ', ${seedMs} % 1000)`,
  postgres: `to_char(('epoch'::timestamptz + ${seedMs} * interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/**
 * Account i as POST /v1/accounts stores it (USD, a zero balance, a unique name, the bench's
 * low-balance settings, so below its threshold), and its zero balance row, one statement each.
 */
function seedStatements(kind: 'sqlite' | 'postgres'): string[] {
  // (better-sqlite3 binds a JS number as a REAL: the cast keeps i an integer, as ids need.)
  const [t, m] = kind === 'sqlite' ? ['?', '?'] : ['$1', '$2'];
  const rows =
    kind === 'sqlite'
      ? `with recursive s(i) as (select cast(? as integer) union all select i + 1 from s where i < ?) select i, ${seedTime.sqlite} as ts from s`
      : `select i, ${seedTime.postgres} as ts from generate_series($3::bigint, $4::bigint) as i`;
  return [
    `insert into org_accounts (tenant_id, mode, id, name, description, currency, balance, low_balance, below_threshold, created_at, updated_at)
     select ${t}, ${m}, ${seedId[kind]}, 'Seed Budget ' || i, null, 'USD', '0',
            '{"has_notification":true,"notification_email":"finance@example.com","threshold":"1000000000"}', 1, ts, ts from (${rows}) as seq`,
    `insert into balances (tenant_id, mode, holder_id, currency, amount, sequence, created_at, updated_at)
     select ${t}, ${m}, ${seedId[kind]}, 'USD', '0', 0, ts, ts from (${rows}) as seq`,
  ];
}

async function seed(connection: DirectConnection, scope: Scope, from: number, to: number): Promise<void> {
  await seedClient(connection, scope);
  await runSeedStatements(connection, scope, from, to, seedStatements);
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

  scale: {
    operations: ['get', 'list'],
    seed,
    ...sampledTable('org_accounts'),
    context: (server, ids) => ({ token: scaleToken(server), run: randomBytes(4).toString('hex'), accountIds: ids }),
  },

  pgbench: {
    script: 'bench/pg-org-create.sql',
    asSentScript: 'bench/pg-org-create-as-sent.sql',
    getScript: 'bench/pg-org-get.sql',
    variables: async (_connection, scope) => ({ tenant: scope.tenantId, mode: scope.mode, seed_epoch_ms: String(SEED_EPOCH_MS) }),
  },
});
