import { Option, type Command } from 'commander';
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
}
