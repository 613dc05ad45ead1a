import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { adminTokenProblem, MIN_ADMIN_TOKEN_LENGTH } from '../admin/admin-token.js';
import { nowIso } from '../ledger/clock.js';
import { createDefaultTenant } from '../runtime.js';
import { listenApi, type ListeningApi } from '../server.js';

// `import { startSubledger } from 'subledger/testing'` (SPEC §7): the whole service inside a
// test run, as `serve` runs it (every surface, the admin API and console, the outbox worker),
// on 127.0.0.1 and by default on its own fresh SQLite file that `stop()` deletes.

export interface StartSubledgerOptions {
  /** `sqlite:<path>` or `postgres://…`; never deleted. Default: a new SQLite file in a new temporary directory, deleted by `stop()`. */
  databaseUrl?: string;
  /** 0 (the default): a free port. */
  port?: number;
  /** The admin API's and console's bearer token, 32 characters at least, not a placeholder from the docs. Default: a random one. */
  adminToken?: string;
}

export interface ApiKeyPair {
  secret: string;
  publishable: string;
  /** A secret key in Xendit's shape (xnd_development_…): what Xendit's SDKs accept without complaint. */
  xendit: string;
}

export interface StartedTenant {
  id: string;
  keys: { test: ApiKeyPair; live: ApiKeyPair };
  /** A test-mode OAuth client with every org role (POST /oauth2/token, client credentials). */
  oauthClient: { client_id: string; client_secret: string };
}

export interface StartedSubledger {
  /** `http://127.0.0.1:<port>` */
  url: string;
  adminToken: string;
  /** A tenant created for this start, named `default`, with keys and an OAuth client. */
  tenant: StartedTenant;
  /** Stops accepting, finishes in-flight requests and deliveries, closes the store; deletes a database it made itself. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts subledger in this process. The process environment is not read: two instances (and
 * the test run's own PORT or DATABASE_URL) share nothing but what the options say.
 * @throws TypeError for a bad option; StartupFailure when the database cannot be opened or the port is taken
 */
export async function startSubledger(options: StartSubledgerOptions = {}): Promise<StartedSubledger> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`startSubledger: port must be an integer from 0 to 65535 (got ${String(port)})`);
  if (options.adminToken !== undefined && options.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new TypeError(`startSubledger: adminToken must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  if (options.adminToken !== undefined && adminTokenProblem(options.adminToken)) throw new TypeError('startSubledger: adminToken is a placeholder, not a secret');
  const adminToken = options.adminToken ?? randomBytes(32).toString('hex');
  const directory = options.databaseUrl === undefined ? await mkdtemp(join(tmpdir(), 'subledger-')) : undefined;
  const removeDirectory = () => (directory ? rm(directory, { recursive: true, force: true }) : Promise.resolve());

  let api: ListeningApi | undefined;
  try {
    const config = loadConfig({
      DATABASE_URL: options.databaseUrl ?? `sqlite:${join(directory!, 'subledger.db')}`,
      HOST,
      PORT: String(port),
      SUBLEDGER_ADMIN_TOKEN: adminToken,
      // A test run's output is its own; a failing request still answers with its problem body.
      LOG_LEVEL: 'silent',
      // A test suite's setup may create thousands of objects in a second; a stand-in that
      // answered 429 to it would fail tests that the vendor would not (faults: SPEC §7).
      SUBLEDGER_RATE_LIMIT: '0',
    });
    api = await listenApi(config);
    // Always a new tenant, also on a given database that has tenants: only hashes of earlier
    // keys are stored, and a tenant per start keeps runs sharing a database apart.
    const created = await api.store.transaction((tx) => createDefaultTenant(tx, nowIso()));
    const listening = api;
    let stopping: Promise<void> | undefined;
    return {
      url: `http://${HOST}:${api.port}`,
      adminToken,
      tenant: {
        id: created.tenant.id,
        keys: {
          test: { secret: created.keys.test.secret, publishable: created.keys.test.publishable, xendit: created.keys.test.xendit },
          live: { secret: created.keys.live.secret, publishable: created.keys.live.publishable, xendit: created.keys.live.xendit },
        },
        oauthClient: { client_id: created.oauthClient.client.id, client_secret: created.oauthClient.secret },
      },
      stop: () => (stopping ??= listening.close().finally(removeDirectory)),
    };
  } catch (error) {
    await api?.close().catch(() => {});
    await removeDirectory();
    throw error;
  }
}
