import type { Config } from './config.js';
import { nowIso } from './core/clock.js';
import { buildApp } from './http/app.js';
import { ensureDefaultTenant, openServices, startOutboxWorker } from './runtime.js';
import { listenStartupFailure } from './startup-failure.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * `subledger serve`: migrate, listen, create the default tenant on a fresh database (printing
 * its test keys once), and shut down gracefully on SIGTERM/SIGINT (stop accepting, finish
 * in-flight requests, close the store).
 */
/** @throws StartupFailure (database, PORT, HOST) */
export async function serve(config: Config): Promise<void> {
  const services = await openServices(config);
  const app = await buildApp(services);
  const worker = config.workers ? startOutboxWorker(services, app.log) : undefined;
  // In-flight deliveries finish (or their leases lapse) before the store closes.
  app.addHook('onClose', async () => {
    await worker?.stop();
    await services.store.close();
  });

  const purge = setInterval(() => {
    services.ledger.purgeExpiredIdempotencyKeys(nowIso()).catch((error: unknown) => app.log.warn({ err: error }, 'idempotency purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    throw listenStartupFailure(error, config.host, config.port);
  }
  // After listening: a start that fails before it leaves no tenant whose keys nobody saw.
  const created = await ensureDefaultTenant(services.store);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const lines = [`subledger listening on ${base} (${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres'})`];
  if (created) {
    lines.push(
      `Created tenant "${created.tenant.name}" (${created.tenant.id}). Its keys are shown only now; only their hashes are stored:`,
      `  test secret key:      ${created.keys.test.secret}  (id ${created.keys.test.secretId})`,
      `  test publishable key: ${created.keys.test.publishable}  (id ${created.keys.test.publishableId})`,
      `  test OAuth client:    client_id ${created.oauthClient.client.id}  client_secret ${created.oauthClient.secret}  (org surface: POST /oauth2/token)`,
      `Lost them? npm run -s subledger -- keys create --tenant ${created.tenant.id} --mode test (README: "Lost keys")`,
      `Try: curl -s ${base}/billing/accounts -H "Authorization: Bearer ${created.keys.test.secret}"`,
    );
  }
  lines.push(`API docs: ${base}/docs`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(purge);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
