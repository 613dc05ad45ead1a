import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { nowIso } from '../../src/ledger/clock.js';
import { createTenant, type CreatedTenant } from '../../src/tenancy/tenants.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import type { AppServices } from '../../src/http/services.js';
import { openServices, startOutboxWorker } from '../../src/runtime.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A real listening server on 127.0.0.1 with a fresh database and one tenant. */
export interface TestServer {
  kind: StoreKind;
  baseUrl: string;
  app: FastifyInstance;
  services: AppServices;
  database: TestDatabase;
  /** A tenant created directly through the core, with its four keys. */
  tenant: CreatedTenant;
  /** Another tenant, for isolation tests. */
  createTenant(name?: string): Promise<CreatedTenant>;
  close(): Promise<void>;
}

/** `options.extraSurfaces`: surfaces of the test's own, served next to the real ones. */
export async function startTestServer(kind: StoreKind, env: Record<string, string> = {}, options: Pick<AppOptions, 'extraSurfaces'> = {}): Promise<TestServer> {
  const database = await createTestDatabase(kind);
  const config: Config = loadConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
    SUBLEDGER_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
    // Suites that test delivery turn the outbox worker on: { SUBLEDGER_WORKERS: 'on' }.
    SUBLEDGER_WORKERS: 'off',
    ...env,
  });
  const services = await openServices(config);
  const app = await buildApp(services, { logLevel: 'silent', ...options });
  const worker = config.workers ? startOutboxWorker(services, app.log) : undefined;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const makeTenant = (name = 'acme') => services.store.transaction((tx) => createTenant(tx, { name }, nowIso()));
  const tenant = await makeTenant();
  return {
    kind,
    baseUrl: `http://127.0.0.1:${address.port}`,
    app,
    services,
    database,
    tenant,
    createTenant: makeTenant,
    async close() {
      await worker?.stop();
      await app.close();
      await services.store.close();
      await database.drop();
    },
  };
}
