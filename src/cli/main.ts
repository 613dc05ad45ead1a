#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, MAX_PROCESSES } from '../config.js';
import { nowIso } from '../ledger/clock.js';
import { LedgerError } from '../ledger/errors.js';
import { createApiKey, createTenant, getTenant, listTenants, revokeApiKey } from '../tenancy/tenants.js';
import { presentCreatedTenant, presentKey, presentTenantPage } from '../admin/presenter.js';
import { openStore } from '../runtime.js';
import { serve } from '../server.js';
import { isClusterWorker, reportWorkerFailure, serveCluster, serveClusterWorker } from '../cluster.js';
import { StartupFailure } from '../startup-failure.js';
import { addOAuthClientCommands } from './oauth-clients.js';
import { addWebhookEndpointCommands } from './webhook-endpoints.js';
import { addSigningKeyCommands } from './signing-keys.js';
import { announceCredentialChange } from '../http/auth.js';
import { addLedgerCommands } from './ledger-commands.js';

// `subledger`: the same operations as the admin API, straight against DATABASE_URL.

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

function pageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number from 1 to 100');
  return n;
}

async function withStore<T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const program = new Command('subledger').description('Self-hosted accounts and balances service').showHelpAfterError();

/** `--processes`, validated like SUBLEDGER_PROCESSES, in one line (commander's own error would add the help). */
function processCount(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_PROCESSES) {
    throw new ConfigError(`invalid --processes ${JSON.stringify(value)}: must be a whole number from 1 to ${MAX_PROCESSES}`);
  }
  return n;
}

program
  .command('serve', { isDefault: true })
  .description('migrate, then serve the HTTP API on HOST:PORT')
  .option('--processes <n>', `API processes sharing HOST:PORT, 1 to ${MAX_PROCESSES} (PostgreSQL only; default SUBLEDGER_PROCESSES or 1)`)
  .action((options: { processes?: string }) => {
    const config = loadConfig();
    // A worker runs this same command line: the primary started it (src/cluster.ts).
    if (isClusterWorker()) return serveClusterWorker(config);
    const processes = processCount(options.processes, config.processes);
    return processes === 1 ? serve(config) : serveCluster(config, processes);
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(() => withStore(async () => print({ migrated: true, database: loadConfig().databaseUrl.split(':')[0] })));

const tenants = program.command('tenants').description('manage tenants');
tenants
  .command('create')
  .description('create a tenant and print its keys (shown once)')
  .requiredOption('--name <name>', 'tenant name')
  .option('--country <code>', 'ISO 3166-1 alpha-2 country', 'ID')
  .action((options: { name: string; country: string }) =>
    withStore(async (store) => {
      const created = await store.transaction((tx) => createTenant(tx, options, nowIso()));
      print({ ...presentCreatedTenant(created), callback_token: created.tenant.callbackToken });
    }),
  );
tenants
  .command('list')
  .description('list tenants, newest first (no keys: they are shown only when issued)')
  .addOption(new Option('--limit <n>', 'page size, 1 to 100').argParser(pageSize).default(50))
  .option('--starting-after <id>', 'the page after this tenant id (has_more said there is one)')
  .action((options: { limit: number; startingAfter?: string }) =>
    withStore(async (store) => print(presentTenantPage(await listTenants(store.reader, { limit: options.limit, startingAfter: options.startingAfter })))),
  );

const keys = program.command('keys').description('manage API keys');
keys
  .command('create')
  .description('create an API key for a tenant and print it (shown once)')
  .requiredOption('--tenant <id>', 'tenant id')
  .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).makeOptionMandatory())
  .addOption(new Option('--type <type>', 'secret or publishable').choices(['secret', 'publishable']).default('secret'))
  .addOption(new Option('--format <format>', "subledger (sk_test_…) or xendit (xnd_development_…, what Xendit's SDKs expect)").choices(['subledger', 'xendit']).default('subledger'))
  .action((options: { tenant: string; mode: 'test' | 'live'; type: 'secret' | 'publishable'; format: 'subledger' | 'xendit' }) =>
    withStore(async (store) => {
      const { key, secret } = await store.transaction((tx) => createApiKey(tx, options.tenant, options.mode, options.type, nowIso(), options.format));
      print({ id: key.id, tenant_id: key.tenantId, mode: key.mode, type: key.type, format: options.format, key: secret });
    }),
  );
keys
  .command('list')
  .description("list a tenant's API keys: ids, hints and revocation times (never the keys themselves)")
  .requiredOption('--tenant <id>', 'tenant id')
  .action((options: { tenant: string }) =>
    withStore(async (store) => {
      await getTenant(store.reader, options.tenant);
      print({ data: (await store.reader.apiKeys.listForTenant(options.tenant)).map(presentKey) });
    }),
  );
keys
  .command('revoke')
  .description('revoke an API key (running servers stop accepting it at once on PostgreSQL, within SUBLEDGER_KEY_CACHE_SECONDS on SQLite)')
  .requiredOption('--tenant <id>', 'tenant id')
  .requiredOption('--key <id>', 'key id (key_…)')
  .action((options: { tenant: string; key: string }) =>
    withStore(async (store) => {
      const key = await store.transaction((tx) => revokeApiKey(tx, options.tenant, options.key, nowIso()));
      await announceCredentialChange(store);
      print({ id: key.id, revoked_at: key.revokedAt });
    }),
  );

addOAuthClientCommands(program, withStore, print);
addWebhookEndpointCommands(program, withStore, print, () => loadConfig());
addSigningKeyCommands(program, withStore, print);
addLedgerCommands(program, withStore);

/** What a failure prints after `subledger: `. An unexpected one says how to see its stack. */
function failureMessage(error: unknown): string {
  if (error instanceof ConfigError || error instanceof LedgerError || error instanceof StartupFailure) return error.message;
  if (/^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '')) return error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${error instanceof Error ? error.message : String(error)} (LOG_LEVEL=debug shows where)`;
}

/** Edits (insert, delete, substitute, swap two neighbours) from one word to another. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * A first word that names no command. `serve` is the default command, so commander would hand
 * the word to it and say "too many arguments for 'serve'"; this names the word and the nearest command.
 */
function unknownCommandMessage(args: readonly string[]): string | null {
  const [first] = args;
  if (first === undefined || first.startsWith('-') || first === 'help') return null;
  const names = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
  if (names.includes(first)) return null;
  const [nearest] = names.map((name) => ({ name, distance: editDistance(first.toLowerCase(), name) })).sort((x, y) => x.distance - y.distance);
  const suggestion = nearest && nearest.distance <= Math.max(1, Math.floor(nearest.name.length * 0.4)) ? ` (did you mean '${nearest.name}'?)` : '';
  return `unknown command '${first.slice(0, 80)}'${suggestion}: the commands are ${names.join(', ')} (subledger --help)`;
}

const unknown = isClusterWorker() ? null : unknownCommandMessage(process.argv.slice(2));
if (unknown) {
  process.stderr.write(`subledger: ${unknown}\n`);
  process.exit(1);
}

// A failure is one line on stderr and exit 1 (SPEC §1); a cluster worker's goes to its primary,
// which prints it once for all of them.
program.parseAsync().catch((error: unknown) => {
  if (isClusterWorker()) return reportWorkerFailure(failureMessage(error));
  process.stderr.write(`subledger: ${failureMessage(error)}\n`);
  process.exit(1);
});
