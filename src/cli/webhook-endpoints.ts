import { Option, type Command } from 'commander';
import { presentEndpoint } from '../admin/outbox-routes.js';
import type { Config } from '../config.js';
import { nowIso } from '../ledger/clock.js';
import { eventCatalog } from '../runtime.js';
import type { Store } from '../store/ports.js';
import { checkWebhookRegistration, createWebhookEndpoint } from '../tenancy/webhook-endpoints.js';
import { WebhookUrlPolicy } from '../tenancy/webhook-url-policy.js';

type WithStore = <T>(work: (store: Store) => Promise<T>) => Promise<T>;

/**
 * `subledger webhook-endpoints create`: the admin API's endpoint registration, against
 * DATABASE_URL, under the same URL policy (SPEC §9; "own address" is HOST:PORT, where `serve` listens).
 */
export function addWebhookEndpointCommands(program: Command, withStore: WithStore, print: (value: unknown) => void, config: () => Config): void {
  const endpoints = program.command('webhook-endpoints').description("manage a tenant's webhook endpoints");
  endpoints
    .command('create')
    .description('create a webhook endpoint and print it with its signing secret (shown once)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--url <url>', 'where deliveries are POSTed: http(s), no user info (SUBLEDGER_WEBHOOK_PRIVATE=deny refuses loopback and private networks)')
    .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).makeOptionMandatory())
    .option('--events <patterns>', 'comma-separated event types or prefixes (billing.*), or *', '*')
    .action((options: { tenant: string; url: string; mode: 'test' | 'live'; events: string }) =>
      withStore(async (store) => {
        const { webhookPrivateNetworks, host, port } = config();
        await checkWebhookRegistration(new WebhookUrlPolicy(webhookPrivateNetworks, { host, port }), options.url);
        const events = options.events.split(',').map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
        const endpoint = await store.transaction((tx) => createWebhookEndpoint(tx, options.tenant, { url: options.url, mode: options.mode, events }, eventCatalog().wireTypes(), nowIso()));
        print({ ...presentEndpoint(endpoint), secret: endpoint.secret });
      }),
    );
}
