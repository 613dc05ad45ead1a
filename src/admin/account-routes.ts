import { Type, type Static } from 'typebox';
import { NotFound } from '../ledger/errors.js';
import { snapshotOf } from '../ledger/events.js';
import type { LedgerEntry, Scope } from '../ledger/model.js';
import { majorDecimalOf } from '../ledger/money.js';
import type { DirectoryEntry, OutboxEvent, Repositories } from '../store/ports.js';
import type { VendorModule } from '../surfaces/vendor-module.js';
import { getTenant } from '../tenancy/tenants.js';
import { Described } from '../http/openapi-operations.js';
import type { AppServices } from '../http/services.js';
import type { SurfaceApp } from '../http/surface.js';
import { directoryStatuses } from '../store/account-directory.js';
import { presentDelivery } from './outbox-routes.js';
import { DataOf, WebhookDelivery } from './schemas.js';

// Every vendor's account holders in one place, for the operator console (issue 14): the
// directory (search and filters over every vendor's holder tables: VendorModule.directory), an
// account's balances, ledger, balance over time and events with their deliveries, and what the
// operator may do with it (VendorModule.holderPages; the actions' own routes are the vendors').

const Id = Type.String({ minLength: 1, maxLength: 255 });
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
const Limit = (fallback: number, maximum = 100) => Type.Integer({ minimum: 1, maximum, default: fallback });

export const AccountPath = Type.Object({ tenantId: Id, accountId: Id });
/** The directory's query: its filters are the served vendors' holder tables (VendorModule.directory). */
function directoryQueryOf(vendors: readonly VendorModule[]) {
  const sources = vendors.flatMap((vendor) => vendor.directory ?? []);
  const surfaces = [...new Set(sources.map((source) => source.surface))];
  const statuses = directoryStatuses(sources);
  return Type.Object(
    {
      q: Type.Optional(Type.String({ maxLength: 255, description: 'An id or external reference (exact), or the start of a name or e-mail (any case).' })),
      surface: Type.Optional(Type.Union(surfaces.map((s) => Type.Literal(s)), { description: `must be one of ${surfaces.join(', ')}` })),
      mode: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('live')], { description: 'must be "test" or "live"' })),
      status: Type.Optional(Type.Union(statuses.map((s) => Type.Literal(s)), { description: `must be one of ${statuses.join(', ')}` })),
      limit: Limit(25),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'The next_cursor of the previous page (same q and filters).' })),
    },
    { additionalProperties: false },
  );
}
const summaryFields = {
  id: Type.String(),
  surface: Type.String({ description: 'billing, platform or org' }),
  kind: Type.String({ description: 'customer, account, sub_account or org_account' }),
  mode: Type.String(),
  name: OrNull(Type.String()),
  email: OrNull(Type.String()),
  external_reference: OrNull(Type.String()),
  status: OrNull(Type.String({ description: "A platform sub-account's status, an org account's ok or low_balance; null for billing." })),
  created_at: Timestamp,
};
const AccountSummary = Type.Object(summaryFields);
const AccountList = Type.Object({ data: Type.Array(AccountSummary), next_cursor: OrNull(Type.String()) });
const BalanceJson = Type.Object({ currency: Type.String(), amount: Type.String({ description: 'Exact, in major units.' }), updated_at: Timestamp });
const LowBalanceJson = Type.Object({ has_notification: Type.Boolean(), notification_email: Type.String(), threshold: Type.String({ description: 'In major units of the account currency.' }) });
// The actions the console knows on an account page: each vendor's holder page offers its own (VendorModule.holderPages).
const AccountActions = Type.Object({
  platform_status: Type.Optional(OrNull(Type.Object({ current: Type.String(), allowed: Type.Array(Type.String()) }))),
  low_balance: Type.Optional(OrNull(LowBalanceJson)),
});
export const AccountDetail = Type.Object({
  ...summaryFields,
  balances: Type.Array(BalanceJson),
  details: Type.Record(Type.String(), Type.Unknown(), { description: "The account's stored fields." }),
  actions: AccountActions,
});
const LedgerQuery = Type.Object(
  { currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })), limit: Limit(50), cursor: Type.Optional(Id) },
  { additionalProperties: false },
);
const LedgerEntryJson = Type.Object({
  id: Type.String(),
  currency: Type.String(),
  sequence: Type.Integer(),
  kind: Type.String(),
  amount: Type.String({ description: 'Signed, exact, in major units: positive when money came in.' }),
  balance_after: Type.String(),
  counterparty: Type.String({ description: 'The account on the other side, or "external".' }),
  reference: OrNull(Type.String()),
  request_id: OrNull(Type.String()),
  idempotency_key: OrNull(Type.String()),
  actor: Type.String(),
  created_at: Timestamp,
});
const LedgerPage = Type.Object({ data: Type.Array(LedgerEntryJson), next_cursor: OrNull(Type.String()) });
const BalanceHistory = DataOf(Type.Object({ currency: Type.String(), points: Type.Array(Type.Object({ at: Timestamp, balance: Type.String() })) }));
const EventsQuery = Type.Object({ limit: Limit(50) }, { additionalProperties: false });
const AccountEvent = Type.Object({ id: Type.String(), type: Type.String(), source: Type.String(), created_at: Timestamp, data: Type.Unknown(), deliveries: Type.Array(WebhookDelivery) });

/** Entries of the last this many postings per currency make an account's balance chart. */
const HISTORY_POINTS = 500;

const presentSummary = (e: DirectoryEntry) => ({
  id: e.id,
  surface: e.surface,
  kind: e.kind,
  mode: e.mode,
  name: e.name,
  email: e.email,
  external_reference: e.externalReference,
  status: e.status,
  created_at: e.createdAt,
});

const presentEntry = (e: LedgerEntry) => ({
  id: e.id,
  currency: e.currency,
  sequence: e.sequence,
  kind: e.kind,
  amount: majorDecimalOf({ currency: e.currency, amount: e.amount }),
  balance_after: majorDecimalOf({ currency: e.currency, amount: e.balanceAfter }),
  counterparty: e.counterparty,
  reference: e.reference,
  request_id: e.requestId,
  idempotency_key: e.idempotencyKey,
  actor: e.actor,
  created_at: e.createdAt,
});

/** @throws NotFound */
export async function directoryEntryOf(services: AppServices, tenantId: string, accountId: string): Promise<{ entry: DirectoryEntry; scope: Scope }> {
  await getTenant(services.store.reader, tenantId);
  const entry = await services.store.reader.accountDirectory.find(tenantId, accountId);
  if (!entry) throw new NotFound('account', accountId);
  return { entry, scope: { tenantId, mode: entry.mode } };
}

/** An account page: the directory entry, its balances, the vendor's stored object and what an operator may do (VendorModule.holderPages). */
export async function presentDetail(vendors: readonly VendorModule[], repos: Repositories, scope: Scope, entry: DirectoryEntry) {
  const page = vendors.map((vendor) => vendor.holderPages?.[entry.kind]).find((found) => found !== undefined);
  const [holder, balances] = await Promise.all([page?.find(repos, scope, entry.id), repos.accountDirectory.balances(scope, entry.id)]);
  const actions = (page?.actions?.(holder, entry) ?? {}) as Static<typeof AccountActions>;
  return {
    ...presentSummary(entry),
    balances: balances.map((b) => ({ currency: b.currency, amount: majorDecimalOf({ currency: b.currency, amount: b.amount }), updated_at: b.updatedAt })),
    details: snapshotOf(holder) as Record<string, unknown>,
    actions,
  };
}

export function registerAccountRoutes(app: SurfaceApp, services: AppServices): void {
  const { store } = services;

  app.get('/tenants/:tenantId/accounts', {
    schema: {
      operationId: 'listDirectoryAccounts',
      summary: 'Search and list the accounts of every surface',
      description: 'Billing customers and accounts, platform sub-accounts and org accounts in one list: newest first, or with `q` exact id and external reference matches first, then names and e-mails that start with `q`. Page on with `cursor`.',
      params: Type.Object({ tenantId: Id }),
      querystring: directoryQueryOf(services.vendors),
      response: { 200: Described(AccountList, 'A page of accounts') },
    },
  }, async (request) => {
    const { tenantId } = request.params;
    await getTenant(store.reader, tenantId);
    const { q, surface, mode, status, limit, cursor } = request.query;
    const page = await store.reader.accountDirectory.list(tenantId, { search: q, surface, mode, status, limit, cursor });
    return { data: page.entries.map(presentSummary), next_cursor: page.nextCursor };
  });

  app.get('/tenants/:tenantId/accounts/:accountId', {
    schema: { operationId: 'retrieveDirectoryAccount', summary: 'Retrieve an account of any surface, with its balances and actions', params: AccountPath, response: { 200: Described(AccountDetail, 'The account') } },
  }, async (request) => {
    const { entry, scope } = await directoryEntryOf(services, request.params.tenantId, request.params.accountId);
    return presentDetail(services.vendors, store.reader, scope, entry);
  });

  app.get('/tenants/:tenantId/accounts/:accountId/ledger-entries', {
    schema: { operationId: 'listDirectoryAccountLedgerEntries', summary: "An account's ledger entries, newest first", params: AccountPath, querystring: LedgerQuery, response: { 200: Described(LedgerPage, 'A page of ledger entries') } },
  }, async (request) => {
    const { entry, scope } = await directoryEntryOf(services, request.params.tenantId, request.params.accountId);
    const { currency, limit, cursor } = request.query;
    const page = await store.reader.accountDirectory.ledger(scope, entry.id, { currency, limit, afterId: cursor });
    return { data: page.items.map(presentEntry), next_cursor: page.hasMore ? page.items.at(-1)!.id : null };
  });

  app.get('/tenants/:tenantId/accounts/:accountId/balance-history', {
    schema: { operationId: 'retrieveDirectoryAccountBalanceHistory', summary: "An account's balance after each of its last postings, per currency", params: AccountPath, response: { 200: Described(BalanceHistory, 'Per currency, the balance over time, oldest first') } },
  }, async (request) => {
    const { entry, scope } = await directoryEntryOf(services, request.params.tenantId, request.params.accountId);
    const entries = await store.reader.accountDirectory.balanceHistory(scope, entry.id, HISTORY_POINTS);
    const byCurrency = new Map<string, { at: string; balance: string }[]>();
    for (const e of entries) {
      const points = byCurrency.get(e.currency) ?? byCurrency.set(e.currency, []).get(e.currency)!;
      points.push({ at: e.createdAt, balance: majorDecimalOf({ currency: e.currency, amount: e.balanceAfter }) });
    }
    return { data: [...byCurrency].map(([currency, points]) => ({ currency, points })) };
  });

  app.get('/tenants/:tenantId/accounts/:accountId/events', {
    schema: { operationId: 'listDirectoryAccountEvents', summary: "An account's events, newest first, each with its webhook deliveries", params: AccountPath, querystring: EventsQuery, response: { 200: Described(DataOf(AccountEvent), 'The events') } },
  }, async (request) => {
    const { tenantId } = request.params;
    const { entry, scope } = await directoryEntryOf(services, tenantId, request.params.accountId);
    const events = await store.reader.events.listForSubject(scope, entry.id, request.query.limit);
    const withDeliveries = async (event: OutboxEvent) => ({
      id: event.id,
      type: event.type,
      source: event.source,
      created_at: event.createdAt,
      data: event.data,
      deliveries: (await store.reader.webhooks.listDeliveries(tenantId, { eventId: event.id, limit: 100 })).map(presentDelivery),
    });
    return { data: await Promise.all(events.map(withDeliveries)) };
  });

}
