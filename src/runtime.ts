import type { Config } from './config.js';
import { nowIso } from './ledger/clock.js';
import { LedgerPipeline } from './ledger/pipeline.js';
import { IdempotentCommands } from './http/idempotency.js';
import type { Repositories, Store } from './store/ports.js';
import { createTenant, DEFAULT_TENANT_NAME, type CreatedTenant } from './tenancy/tenants.js';
import { createOAuthClient } from './surfaces/org/domain/oauth-clients.js';
import { ORG_ROLES, type OAuthClient } from './surfaces/org/domain/model.js';
import { ApiKeyAuthenticator } from './http/auth.js';
import { AuthThrottle } from './admin/auth-throttle.js';
import { createMetrics } from './http/metrics.js';
import { RateLimiter } from './http/rate-limit.js';
import type { AppServices } from './http/services.js';
import type { Logger } from 'pino';
import { migrateToLatest, openDatabase, pendingMigrations } from './store/dialects.js';
import { EventCatalog } from './ledger/events.js';
import { VENDORS } from './surfaces/index.js';
import { surfacesOfVendors, type VendorModule } from './surfaces/vendor-module.js';
import { migrationProviderOf } from './store/migrations/index.js';
import { createMailer } from './workers/mailer.js';
import { OutboxWorker, plainEnvelope, type EnvelopeBuilder } from './workers/outbox-worker.js';
import { KyselyStore } from './store/kysely-store.js';
import { CREDENTIALS_CHANNEL } from './store/change-notices.js';
import { TenantClocks } from './testing/clock.js';
import { TenantFaults } from './testing/faults.js';
import { OutboxChanges, SHARED_DATABASE_RECHECK_MS } from './testing/outbox-changes.js';
import { databaseStartupFailure } from './startup-failure.js';
import { WebhookUrlPolicy } from './tenancy/webhook-url-policy.js';

/**
 * Opens the store, applies pending migrations (unless `migrate: false`: a cluster worker, whose
 * primary migrated before starting it) and wires every service the app needs.
 */
export async function openServices(config: Config, options: StoreOpening = {}): Promise<AppServices & { store: KyselyStore }> {
  const vendors = options.vendors ?? VENDORS;
  const store = await openStore(config, { ...options, vendors });
  const events = eventCatalog(vendors);
  const migrations = migrationProviderOf(vendors);
  const ledger = new LedgerPipeline<Repositories>(store, events);
  const metrics = createMetrics();
  metrics.measureQueueDepth(() => store.outbox.depth());
  const clocks = new TenantClocks(store);
  // On SQLite this process makes every commit there is; on PostgreSQL other API nodes commit too.
  const outboxChanges = new OutboxChanges(store.dialect === 'postgres' ? SHARED_DATABASE_RECHECK_MS : null);
  ledger.onCommit((scope) => outboxChanges.notify(scope));
  const authenticator = new ApiKeyAuthenticator(store, config.keyCacheMs, vendors.flatMap((vendor) => vendor.roles ?? []));
  // PostgreSQL: a credential revoked by another process (or the CLI) is forgotten here at once,
  // not when the key cache window ends. Listening before serving, so no revocation slips by.
  await store.listen(CREDENTIALS_CHANNEL, () => authenticator.forgetAll())?.ready;
  let migrated = false;
  return {
    config,
    vendors,
    store,
    ledger,
    commands: new IdempotentCommands(ledger, store, config.idempotencyTtlMs),
    events,
    clocks,
    faults: new TenantFaults(store, clocks),
    outboxChanges,
    authenticator,
    authThrottle: new AuthThrottle(store),
    rateLimiter: new RateLimiter(config.rateLimitPerMinute),
    metrics,
    webhookUrlPolicy: new WebhookUrlPolicy(config.webhookPrivateNetworks, { host: config.host, port: config.port }),
    // Once every migration is seen applied it stays applied for this process.
    pendingMigrations: async () => {
      if (migrated) return 0;
      const pending = await pendingMigrations(store.db, migrations);
      migrated = pending === 0;
      return pending;
    },
  };
}

export interface StoreOpening {
  /** false: the schema is known to be current (another process migrated it); default true. */
  migrate?: boolean;
  /** The vendor modules served (default: every registered one, src/surfaces/index.ts). */
  vendors?: readonly VendorModule[];
}

/** @throws StartupFailure naming DATABASE_URL when the database cannot be opened or migrated */
export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'sqliteSync' | 'pgPoolSize'> & Partial<Pick<Config, 'pgConnectTimeoutMs' | 'sqliteTrace'>>,
  { migrate = true, vendors = VENDORS }: StoreOpening = {},
): Promise<KyselyStore> {
  let database: ReturnType<typeof openDatabase>;
  try {
    database = openDatabase({ url: config.databaseUrl, sqliteSync: config.sqliteSync, poolSize: config.pgPoolSize, connectTimeoutMs: config.pgConnectTimeoutMs, sqliteTrace: config.sqliteTrace });
  } catch (error) {
    throw databaseStartupFailure(error, config.databaseUrl);
  }
  try {
    if (migrate) await migrateToLatest(database.db, migrationProviderOf(vendors));
  } catch (error) {
    await database.close().catch(() => {});
    throw databaseStartupFailure(error, config.databaseUrl);
  }
  return new KyselyStore(database, { directory: vendors.flatMap((vendor) => vendor.directory ?? []) });
}

/** Every vendor surface's event publications. */
export function eventCatalog(vendors: readonly VendorModule[] = VENDORS): EventCatalog {
  const catalog = new EventCatalog();
  for (const surface of surfacesOfVendors(vendors)) surface.publishEvents?.(catalog);
  return catalog;
}

/** Every vendor surface's webhook envelope, by the event source the surface writes. */
function envelopesOf(vendors: readonly VendorModule[]): Record<string, EnvelopeBuilder> {
  return Object.fromEntries(surfacesOfVendors(vendors).flatMap((surface) => (surface.webhookEnvelope ? [[surface.name, surface.webhookEnvelope]] : [])));
}

/**
 * The outbox worker of this process, woken after every committed write. Runs until
 * `stop()`; several processes on one PostgreSQL database share the work.
 */
export function startOutboxWorker(services: AppServices, log: Pick<Logger, 'info' | 'warn' | 'error'>): OutboxWorker {
  const { config } = services;
  const worker = new OutboxWorker({
    store: services.store,
    envelopes: envelopesOf(services.vendors),
    defaultEnvelope: plainEnvelope,
    mailer: createMailer(config.smtpUrl, config.mailFrom, log),
    log,
    metrics: services.metrics.outbox,
    pollMs: config.outboxPollMs,
    leaseMs: config.outboxLeaseMs,
    webhookTimeoutMs: config.webhookTimeoutMs,
    webhookUrlPolicy: services.webhookUrlPolicy,
    retryScheduleMs: config.retryScheduleMs,
    retryTimer: services.clocks.retryTimer,
  });
  services.ledger.onCommit(() => worker.notifyCommit());
  services.outboxWorker = worker;
  worker.start();
  return worker;
}

/** A tenant with its six keys and a test-mode OAuth client of every role: what `serve` prints once and `startSubledger()` returns. */
export type DefaultTenant = CreatedTenant & { oauthClient: { client: OAuthClient; secret: string } };

/** On a fresh database: the tenant `default` with a test-mode OAuth client of every role, whose keys and secret the caller prints once. */
export async function ensureDefaultTenant(store: Store): Promise<DefaultTenant | null> {
  return store.transaction(async (tx) => {
    // Two processes starting at once on a fresh database must not both see none and both create one.
    await tx.tenants.lockFirstTenantCreation();
    if ((await tx.tenants.count()) > 0) return null;
    return createDefaultTenant(tx, nowIso());
  });
}

/** The tenant `default` (names are not unique: on a database that has one, this is another) with its keys and OAuth client. */
export async function createDefaultTenant(tx: Repositories, now: string): Promise<DefaultTenant> {
  const created = await createTenant(tx, { name: DEFAULT_TENANT_NAME }, now);
  const oauthClient = await createOAuthClient(tx, created.tenant.id, { name: 'default', mode: 'test', roles: ORG_ROLES }, now);
  return { ...created, oauthClient };
}
