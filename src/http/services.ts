import type { Config } from '../config.js';
import type { VendorModule } from '../surfaces/vendor-module.js';
import type { EventCatalog } from '../ledger/events.js';
import type { LedgerPipeline } from '../ledger/pipeline.js';
import type { Repositories, Store } from '../store/ports.js';
import type { IdempotentCommands } from './idempotency.js';
import type { ApiKeyAuthenticator } from './auth.js';
import type { AuthThrottle } from '../admin/auth-throttle.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import type { TenantClocks } from '../testing/clock.js';
import type { TenantFaults } from '../testing/faults.js';
import type { OutboxChanges } from '../testing/outbox-changes.js';
import type { WebhookUrlPolicy } from '../tenancy/webhook-url-policy.js';

/** Everything a surface or the admin API may use, handed over explicitly at registration. */
export interface AppServices {
  config: Config;
  /** The vendor modules served (src/surfaces/index.ts, or a test's own list). */
  vendors: readonly VendorModule[];
  store: Store;
  /** The ledger's write pipeline (commands with their outbox effects, one transaction each). */
  ledger: LedgerPipeline<Repositories>;
  /** The pipeline behind the idempotency wrapper: how every surface's writes run. */
  commands: IdempotentCommands;
  /** Every surface's event publications: commands of any caller present events through it. */
  events: EventCatalog;
  /** Each tenant's test-mode clock (SPEC §7): every command's `ctx.now` in test mode. */
  clocks: TenantClocks;
  /** Each tenant's faults (SPEC §7): what its next matching test-mode requests get instead of their answer. */
  faults: TenantFaults;
  /** What wakes the testing API's waiting requests (SPEC §7 "Waiting"): this process's outbox commits. */
  outboxChanges: OutboxChanges;
  authenticator: ApiKeyAuthenticator;
  /** Failed admin-token and console sign-ins per client address (SPEC §9): what answers 429 to guessing. */
  authThrottle: AuthThrottle;
  rateLimiter: RateLimiter;
  metrics: Metrics;
  /** Where webhooks may go (SPEC §9): checked when an endpoint is registered and before every delivery. */
  webhookUrlPolicy: WebhookUrlPolicy;
  pendingMigrations: () => Promise<number>;
  /** This process's outbox worker, when it runs one (SUBLEDGER_WORKERS): the testing API's clock advance runs what came due. */
  outboxWorker?: { runDueNow(): Promise<void> };
}
