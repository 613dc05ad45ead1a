import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-23-initial.js';
import * as outboxDelivery from './2026-11-23-outbox-delivery.js';
import * as ledgerCore from './2026-12-01-ledger-core.js';
import * as listsById from './2026-12-02-lists-by-id.js';
import * as platform from '../../surfaces/platform/store/migrations/2026-12-03-platform.js';
import * as org from '../../surfaces/org/store/migrations/2026-12-03-org.js';
import * as console from './2026-12-04-console.js';
import * as accountDirectory from './2026-12-05-account-directory.js';

/** Every migration, in order. Explicit (no directory scan) so it works from src/ and dist/ alike. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-23-initial': initial,
  '2026-11-23-outbox-delivery': outboxDelivery,
  '2026-12-01-ledger-core': ledgerCore,
  '2026-12-02-lists-by-id': listsById,
  '2026-12-03-platform': platform,
  '2026-12-03-org': org,
  '2026-12-04-console': console,
  '2026-12-05-account-directory': accountDirectory,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;
