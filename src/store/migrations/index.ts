import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-23-initial.js';
import * as outboxDelivery from './2026-11-23-outbox-delivery.js';
import * as ledgerCore from './2026-12-01-ledger-core.js';
import * as listsById from './2026-12-02-lists-by-id.js';
import * as console from './2026-12-04-console.js';
import * as accountDirectory from './2026-12-05-account-directory.js';
import * as testClocks from './2026-12-07-test-clocks.js';
import * as testSnapshots from './2026-12-07-test-snapshots.js';
import * as testFaults from './2026-12-08-test-faults.js';
import * as clockDue from './2026-12-09-clock-due.js';
import * as eventObjects from './2026-12-09-event-objects.js';
import * as entriesAsOf from './2026-12-10-entries-as-of.js';
import * as ledgerHashChains from './2026-12-10-ledger-hash-chains.js';
import * as authFailures from './2026-12-14-auth-failures.js';
import * as entriesWithoutAsOfIndex from './2026-12-15-entries-without-as-of-index.js';
import * as sqliteEntriesWithoutTimeOrder from './2026-12-15-sqlite-entries-without-time-order.js';

/**
 * The service's own migrations. Explicit (no directory scan) so it works from src/ and dist/
 * alike. Vendor modules bring their tables' own (VendorModule.migrations).
 */
export const SERVICE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2026-11-23-initial': initial,
  '2026-11-23-outbox-delivery': outboxDelivery,
  '2026-12-01-ledger-core': ledgerCore,
  '2026-12-02-lists-by-id': listsById,
  '2026-12-04-console': console,
  '2026-12-05-account-directory': accountDirectory,
  '2026-12-07-test-clocks': testClocks,
  '2026-12-07-test-snapshots': testSnapshots,
  '2026-12-08-test-faults': testFaults,
  '2026-12-09-clock-due': clockDue,
  '2026-12-09-event-objects': eventObjects,
  '2026-12-10-entries-as-of': entriesAsOf,
  '2026-12-10-ledger-hash-chains': ledgerHashChains,
  '2026-12-14-auth-failures': authFailures,
  '2026-12-15-entries-without-as-of-index': entriesWithoutAsOfIndex,
  '2026-12-15-sqlite-entries-without-time-order': sqliteEntriesWithoutTimeOrder,
};

/**
 * The service's migrations and the vendors', run in name order (Kysely's Migrator sorts by
 * name): a vendor's tables are created on the date its migration is named for.
 * @throws when two migrations share a name
 */
export function migrationProviderOf(vendors: readonly { migrations?: Readonly<Record<string, Migration>> }[]): MigrationProvider {
  const all: Record<string, Migration> = { ...SERVICE_MIGRATIONS };
  for (const vendor of vendors) {
    for (const [name, migration] of Object.entries(vendor.migrations ?? {})) {
      if (all[name]) throw new Error(`two migrations are named ${name}`);
      all[name] = migration;
    }
  }
  return { getMigrations: async () => all };
}
