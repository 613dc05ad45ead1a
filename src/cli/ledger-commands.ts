import { once } from 'node:events';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LedgerEntryTable } from '../store/database.js';
import { getTenant } from '../tenancy/tenants.js';
import type { KyselyStore } from '../store/kysely-store.js';
import { describeProblem, verifyLedger, verifySummary } from '../store/ledger-verify.js';

type WithStore = <T>(work: (store: KyselyStore) => Promise<T>) => Promise<T>;

/** Progress on stderr, only on a terminal, at most a few times a second; cleared before the summary. */
function progressLine(): { update(entries: number): void; clear(): void } {
  if (!process.stderr.isTTY) return { update: () => {}, clear: () => {} };
  let shownAt = 0;
  let shown = false;
  return {
    update(entries) {
      const now = Date.now();
      if (now - shownAt < 200) return;
      shownAt = now;
      shown = true;
      process.stderr.write(`\rverifying: ${entries} entries…`);
    },
    clear() {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

/** The columns of an exported entry, in order: the stored fields (amounts in atoms, 10^-9 major units, as the hash encodes them) and the hash. */
export const EXPORT_COLUMNS = [
  'id',
  'tenant_id',
  'mode',
  'holder_id',
  'currency',
  'sequence',
  'kind',
  'amount',
  'balance_after',
  'counterparty',
  'contra_id',
  'reference',
  'request_id',
  'idempotency_key',
  'actor',
  'created_at',
  'hash',
] as const;

function exportedOf(row: LedgerEntryTable): Record<(typeof EXPORT_COLUMNS)[number], string | null> {
  const out = {} as Record<(typeof EXPORT_COLUMNS)[number], string | null>;
  for (const column of EXPORT_COLUMNS) {
    const value = row[column];
    out[column] = value === null || value === undefined ? null : String(value);
  }
  return out;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; null is empty. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** An ISO 8601 instant, as stored (UTC with milliseconds). */
function instant(value: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new InvalidArgumentError('must be an ISO 8601 instant, e.g. 2026-12-01T00:00:00Z');
  return new Date(ms).toISOString();
}

/** Writes to stdout, waiting when its buffer is full: the export never holds more than a batch. */
async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** `subledger verify` (SPEC §8): the audit of src/store/ledger-verify.ts, straight against DATABASE_URL. */
export function addLedgerCommands(program: Command, withStore: WithStore): void {
  program
    .command('verify')
    .description("check every balance's hash chain and the ledger's invariants; exit 1 naming each problem")
    .option('--tenant <id>', 'only this tenant (ten_…)')
    .addOption(new Option('--mode <mode>', 'only this mode').choices(['test', 'live']))
    .action((options: { tenant?: string; mode?: 'test' | 'live' }) =>
      withStore(async (store) => {
        if (options.tenant !== undefined) await getTenant(store.reader, options.tenant);
        const progress = progressLine();
        const count = await verifyLedger(
          store.db,
          { tenantId: options.tenant, mode: options.mode },
          {
            problem: (problem) => {
              progress.clear();
              process.stdout.write(`problem: ${describeProblem(problem)}\n`);
            },
            progress: (entries) => progress.update(entries),
          },
        );
        progress.clear();
        process.stdout.write(`${verifySummary(count)}\n`);
        if (count.problems > 0) process.exitCode = 1;
      }),
    );

  program
    .command('export')
    .description('export ledger data for reconciliation')
    .command('entries')
    .description("write a tenant's ledger entries of one mode to stdout, oldest first, with their hashes (streaming)")
    .requiredOption('--tenant <id>', 'tenant id (ten_…)')
    .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).makeOptionMandatory())
    .addOption(new Option('--from <instant>', 'entries created at or after this ISO 8601 instant').argParser(instant))
    .addOption(new Option('--to <instant>', 'entries created before this ISO 8601 instant').argParser(instant))
    .addOption(new Option('--format <format>', 'one JSON object per line, or CSV with a header').choices(['ndjson', 'csv']).default('ndjson'))
    .action((options: { tenant: string; mode: 'test' | 'live'; from?: string; to?: string; format: 'ndjson' | 'csv' }) =>
      withStore(async (store) => {
        await getTenant(store.reader, options.tenant);
        if (options.format === 'csv') await writeOut(`${EXPORT_COLUMNS.join(',')}\r\n`);
        for await (const rows of store.audit.entries({ tenantId: options.tenant, mode: options.mode, from: options.from, to: options.to })) {
          let text = '';
          for (const row of rows) {
            const entry = exportedOf(row);
            text += options.format === 'csv' ? `${EXPORT_COLUMNS.map((c) => csvField(entry[c])).join(',')}\r\n` : `${JSON.stringify(entry)}\n`;
          }
          await writeOut(text);
        }
      }),
    );
}
