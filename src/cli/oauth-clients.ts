import { Option, type Command } from 'commander';
import { presentOAuthClient } from '../surfaces/org/http/admin-routes.js';
import { nowIso } from '../ledger/clock.js';
import { createOAuthClient, listOAuthClients, revokeOAuthClient } from '../surfaces/org/domain/oauth-clients.js';
import { ORG_ROLES } from '../surfaces/org/domain/model.js';
import type { Store } from '../store/ports.js';
import { announceCredentialChange } from '../http/auth.js';

export type WithStore = <T>(work: (store: Store) => Promise<T>) => Promise<T>;

/** `subledger oauth-clients create|list|revoke`: the admin API's OAuth clients, against DATABASE_URL. */
export function addOAuthClientCommands(program: Command, withStore: WithStore, print: (value: unknown) => void): void {
  const clients = program.command('oauth-clients').description('manage OAuth clients of the org surface (client credentials for POST /oauth2/token)');
  clients
    .command('create')
    .description('create an OAuth client and print its client_id and client_secret (shown once)')
    .requiredOption('--tenant <id>', 'tenant id')
    .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).makeOptionMandatory())
    .option('--name <name>', 'a name for the client', 'cli')
    .option('--roles <roles>', `comma-separated roles (${ORG_ROLES.join(', ')})`, ORG_ROLES.join(','))
    .action((options: { tenant: string; mode: 'test' | 'live'; name: string; roles: string }) =>
      withStore(async (store) => {
        const roles = options.roles.split(',').map((role) => role.trim()).filter((role) => role !== '');
        const { client, secret } = await store.transaction((tx) => createOAuthClient(tx, options.tenant, { name: options.name, mode: options.mode, roles }, nowIso()));
        print({ ...presentOAuthClient(client), client_secret: secret });
      }),
    );
  clients
    .command('list')
    .description("list a tenant's OAuth clients (never their secrets)")
    .requiredOption('--tenant <id>', 'tenant id')
    .action((options: { tenant: string }) => withStore(async (store) => print({ data: (await listOAuthClients(store.reader, options.tenant)).map(presentOAuthClient) })));
  clients
    .command('revoke')
    .description('revoke an OAuth client: it gets no new tokens, and running servers refuse the ones it holds (PostgreSQL: at once; SQLite: within SUBLEDGER_KEY_CACHE_SECONDS)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--client <id>', 'client id (oac_…)')
    .action((options: { tenant: string; client: string }) =>
      withStore(async (store) => {
        const client = await store.transaction((tx) => revokeOAuthClient(tx, options.tenant, options.client, nowIso()));
        await announceCredentialChange(store);
        print({ client_id: client.id, revoked_at: client.revokedAt });
      }),
    );
}

