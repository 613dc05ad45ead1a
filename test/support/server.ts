import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { nowIso } from '../../src/ledger/clock.js';
import { createTenant, type CreatedTenant } from '../../src/tenancy/tenants.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import type { AppServices } from '../../src/http/services.js';
import { openServices, startOutboxWorker } from '../../src/runtime.js';
import { INJECT_ORIGIN } from './http.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789-abcdefghij';

/**
 * The app built on a fresh database with one tenant. Request/response tests call it through
 * `inject` (`call(server, …)`, `client(server, key)`): the whole fastify stack, no socket. A
 * listening one is also called over its socket through its base URL (`call(server.baseUrl, …)`).
 */
export interface TestApp {
  kind: StoreKind;
  app: FastifyInstance;
  /** The origin the app sees requests addressed to (problem `type` URLs, the console's Origin check). */
  origin: string;
  services: AppServices;
  database: TestDatabase;
  /** A tenant created directly through the core, with its six keys (a secret, a publishable and a Xendit-format secret key per mode). */
  tenant: CreatedTenant;
  /** Another tenant, for isolation tests. */
  createTenant(name?: string): Promise<CreatedTenant>;
  close(): Promise<void>;
}

/** A TestApp that also listens on 127.0.0.1, for what crosses the socket (a browser, a client library, raw TCP, races across connections). */
export interface TestServer extends TestApp {
  baseUrl: string;
}

export interface BuildOptions extends Pick<AppOptions, 'extraSurfaces'> {
  /** Service variables over the test defaults, e.g. { SUBLEDGER_WORKERS: 'on' } for suites that test delivery. */
  env?: Record<string, string>;
  /** Listen on a port of 127.0.0.1 (only where something must cross the socket). */
  listen?: boolean;
  /** Another node on this database (PostgreSQL) instead of a fresh one; its close leaves the database. */
  database?: TestDatabase;
}

/** The one way tests start the service: built and ready for `inject`, and listening only with `listen: true`. */
export async function build(kind: StoreKind, options: BuildOptions & { listen: true }): Promise<TestServer>;
export async function build(kind: StoreKind, options?: BuildOptions): Promise<TestApp>;
export async function build(kind: StoreKind, { env = {}, listen = false, extraSurfaces, database: shared }: BuildOptions = {}): Promise<TestApp | TestServer> {
  const database = shared ?? (await createTestDatabase(kind));
  const config: Config = loadConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
    SUBLEDGER_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
    // Suites that test delivery turn the outbox worker on: { SUBLEDGER_WORKERS: 'on' }.
    SUBLEDGER_WORKERS: 'off',
    // An app that does not listen has no address of its own to put in absolute URLs: it is
    // told its public origin, the one injected requests are addressed to (a listening one
    // uses the address its connections reach, as `serve` does).
    ...(listen ? {} : { SUBLEDGER_PUBLIC_URL: INJECT_ORIGIN }),
    ...env,
  });
  const services = await openServices(config);
  const app = await buildApp(services, { logLevel: 'silent', ...(extraSurfaces ? { extraSurfaces } : {}) });
  const worker = config.workers ? startOutboxWorker(services, app.log) : undefined;
  let baseUrl: string | undefined;
  if (listen) {
    // A backlog above node's 511: the concurrency tests open 1,000 connections at once, and on a
    // loaded machine a full accept queue drops connects until the client's connect timeout.
    await app.listen({ host: '127.0.0.1', port: 0, backlog: 2048 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    baseUrl = `http://127.0.0.1:${address.port}`;
  } else {
    await app.ready();
  }
  const makeTenant = (name = 'acme') => services.store.transaction((tx) => createTenant(tx, { name }, nowIso()));
  const tenant = await makeTenant();
  const built: TestApp = {
    kind,
    app,
    origin: baseUrl ?? INJECT_ORIGIN,
    services,
    database,
    tenant,
    createTenant: makeTenant,
    async close() {
      await worker?.stop();
      await app.close();
      await services.store.close();
      if (!shared) await database.drop();
    },
  };
  return baseUrl === undefined ? built : { ...built, baseUrl };
}
