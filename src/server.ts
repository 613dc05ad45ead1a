import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Store } from './store/ports.js';
import { nowIso } from './ledger/clock.js';
import { buildApp } from './http/app.js';
import { ensureDefaultTenant, openServices, startOutboxWorker, type StoreOpening } from './runtime.js';
import { listenStartupFailure } from './startup-failure.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** One process's API, listening: its outbox worker and hourly idempotency purge running. */
export interface ListeningApi {
  app: FastifyInstance;
  store: Store;
  /** The port it listens on (PORT=0 picks one). */
  port: number;
  /** Stops accepting, finishes in-flight requests and deliveries, closes the store. */
  close(): Promise<void>;
}

/**
 * `subledger serve`: migrate, listen, create the default tenant on a fresh database (printing
 * its test keys once), and shut down gracefully on SIGTERM/SIGINT (stop accepting, finish
 * in-flight requests, close the store). `serve --processes N` (src/cluster.ts) runs N of
 * these APIs under one primary instead.
 */
/** @throws StartupFailure (database, PORT, HOST) */
export async function serve(config: Config): Promise<void> {
  const api = await listenApi(config);
  // After listening: a start that fails before it leaves no tenant whose keys nobody saw.
  const created = await ensureDefaultTenant(api.store);
  // Before printing: whoever reads the keys or the docs line may send SIGTERM at once, and a
  // signal with no handler yet would end the process without its graceful close.
  exitOnSignals(api, ['SIGTERM', 'SIGINT']);
  process.stdout.write(startupText(config, api.port, created));
}

/** @throws StartupFailure (database, PORT, HOST) */
export async function listenApi(config: Config, opening: StoreOpening = {}): Promise<ListeningApi> {
  const services = await openServices(config, opening);
  const app = await buildApp(services);
  const worker = config.workers ? startOutboxWorker(services, app.log) : undefined;
  // In-flight deliveries finish (or their leases lapse) before the store closes.
  app.addHook('onClose', async () => {
    await worker?.stop();
    await services.store.close();
  });

  // Idempotent, so every process of a cluster (and every node) may run it.
  const purge = setInterval(() => {
    services.commands.purgeExpired(nowIso()).catch((error: unknown) => app.log.warn({ err: error }, 'idempotency purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    clearInterval(purge);
    await app.close();
    throw listenStartupFailure(error, config.host, config.port);
  }
  const address = app.server.address();
  return {
    app,
    store: services.store,
    port: typeof address === 'object' && address ? address.port : config.port,
    close: async () => {
      clearInterval(purge);
      await app.close();
    },
  };
}

/** What `serve` prints once it listens: the address, the default tenant's keys when it was just created, the docs and console URLs. */
export function startupText(config: Config, port: number, created: Awaited<ReturnType<typeof ensureDefaultTenant>>): string {
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const lines = [`subledger listening on ${base} (${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres'})`];
  if (created) {
    lines.push(
      `Created tenant "${created.tenant.name}" (${created.tenant.id}). Its keys are shown only now; only their hashes are stored:`,
      `  test secret key:      ${created.keys.test.secret}  (id ${created.keys.test.secretId})`,
      `  test publishable key: ${created.keys.test.publishable}  (id ${created.keys.test.publishableId})`,
      `  test Xendit-format secret key: ${created.keys.test.xendit}  (id ${created.keys.test.xenditId}; for Xendit's SDKs, valid on every surface)`,
      `  test OAuth client:    client_id ${created.oauthClient.client.id}  client_secret ${created.oauthClient.secret}  (org surface: POST /oauth2/token)`,
      `Lost them? npm run -s subledger -- keys create --tenant ${created.tenant.id} --mode test (README: "Lost keys")`,
      `Try: curl -s ${base}/billing/accounts -H "Authorization: Bearer ${created.keys.test.secret}"`,
    );
  }
  // Behind a proxy (SUBLEDGER_PUBLIC_URL) the docs and console are where users reach them.
  const publicBase = config.publicUrl ?? base;
  lines.push(`API docs: ${publicBase}/docs`);
  lines.push(config.adminToken ? `Operator console: ${publicBase}/console (sign in with SUBLEDGER_ADMIN_TOKEN)` : 'Operator console: set SUBLEDGER_ADMIN_TOKEN to serve it at /console (and the admin API)');
  return `${lines.join('\n')}\n`;
}

/** On the first of `signals`: close the API gracefully, then exit 0 (1 if closing failed). */
export function exitOnSignals(api: ListeningApi, signals: NodeJS.Signals[]): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    api.app.log.info({ signal }, 'shutting down');
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        api.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, () => shutdown(signal));
}
