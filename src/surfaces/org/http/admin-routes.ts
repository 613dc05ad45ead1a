import { Type, type Static } from 'typebox';
import { NotFound, ValidationFailed } from '../../../ledger/errors.js';
import { AmountRejected, fromMajorDecimal, majorDecimalOf } from '../../../ledger/money.js';
import { AccountDetail, AccountPath, directoryEntryOf, presentDetail } from '../../../admin/account-routes.js';
import { runOperatorCommand } from '../../../admin/operator-command.js';
import type { HolderPage } from '../../vendor-module.js';
import { findOrgAccount, replaceOrgAccount } from '../domain/accounts.js';
import { orgRepositoriesOf } from '../store/repositories.js';
import { nowIso } from '../../../ledger/clock.js';
import { createOAuthClient, listOAuthClients, revokeOAuthClient } from '../domain/oauth-clients.js';
import { ORG_ROLES, type OAuthClient, type OrgAccount } from '../domain/model.js';
import { Described } from '../../../http/openapi-operations.js';
import { credentialsChanged } from '../../../http/auth.js';
import type { SurfaceApp } from '../../../http/surface.js';
import type { AppServices } from '../../../http/services.js';
import { DataOf, TenantPath } from '../../../admin/schemas.js';

// The org vendor's operator routes: OAuth clients (SPEC §1: create, the secret shown once;
// list; revoke) and an org account's low-balance settings, from the console's account page.

const LowBalanceBody = Type.Object(
  {
    has_notification: Type.Boolean(),
    notification_email: Type.String({ format: 'email', maxLength: 254 }),
    threshold: Type.String({ minLength: 1, maxLength: 64, description: 'In major units of the account currency, e.g. "25.50".', examples: ['25.50'] }),
  },
  { additionalProperties: false, examples: [{ has_notification: true, notification_email: 'finance@example.com', threshold: '25.50' }] },
);
type LowBalanceInput = Static<typeof LowBalanceBody>;

/** The body's threshold in the account's currency. @throws ValidationFailed */
function thresholdOf(account: OrgAccount, input: LowBalanceInput) {
  try {
    const threshold = fromMajorDecimal(account.currency, input.threshold);
    if (threshold.amount < 0n) throw ValidationFailed.of('threshold', 'must not be negative');
    return threshold;
  } catch (error) {
    if (error instanceof AmountRejected) throw ValidationFailed.of('threshold', error.message);
    throw error;
  }
}

const presentLowBalance = (account: OrgAccount) =>
  account.lowBalance && { has_notification: account.lowBalance.hasNotification, notification_email: account.lowBalance.notificationEmail, threshold: majorDecimalOf(account.lowBalance.threshold) };

/** An org account on the console's account page: its low-balance settings are its action. */
export const orgAccountPage: HolderPage = {
  find: (repos, scope, id) => orgRepositoriesOf.of(repos).accounts.findById(scope, id),
  actions: (holder) => ({ low_balance: presentLowBalance(holder as OrgAccount) }),
};

const Role = Type.Unsafe<string>({ type: 'string', enum: [...ORG_ROLES] });

const OAuthClientCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, examples: ['reporting'] }),
    mode: Type.Unsafe<'test' | 'live'>({ type: 'string', enum: ['test', 'live'] }),
    roles: Type.Array(Role, { minItems: 1, maxItems: ORG_ROLES.length, uniqueItems: true, examples: [[...ORG_ROLES]] }),
  },
  { additionalProperties: false },
);

const OAuthClientJson = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  mode: Type.String(),
  roles: Type.Array(Type.String()),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const CreatedOAuthClient = Type.Object({ ...OAuthClientJson.properties, client_secret: Type.String({ description: 'Shown only now; only its hash is stored.' }) });
const OAuthClientPath = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }), clientId: Type.String({ minLength: 1, maxLength: 255 }) });

export function presentOAuthClient(c: OAuthClient) {
  return { client_id: c.id, name: c.name, mode: c.mode, roles: [...c.roles], created_at: c.createdAt, revoked_at: c.revokedAt };
}

export function registerOrgAdminRoutes(app: SurfaceApp, services: AppServices): void {
  const { store } = services;
  app.post('/tenants/:tenantId/oauth-clients', {
    schema: { operationId: 'createTenantOAuthClient', summary: 'Create an OAuth client (org surface)', params: TenantPath, body: OAuthClientCreate, response: { 201: Described(CreatedOAuthClient, 'The client, with its secret (shown once)') } },
  }, async (request, reply) => {
    const { client, secret } = await store.transaction((tx) => createOAuthClient(tx, request.params.tenantId, request.body, nowIso()));
    reply.code(201);
    return { ...presentOAuthClient(client), client_secret: secret };
  });

  app.get('/tenants/:tenantId/oauth-clients', {
    schema: { operationId: 'listTenantOAuthClients', summary: "List a tenant's OAuth clients (no secrets)", params: TenantPath, response: { 200: Described(DataOf(OAuthClientJson), "The tenant's clients, revoked ones included") } },
  }, async (request) => ({ data: (await listOAuthClients(store.reader, request.params.tenantId)).map(presentOAuthClient) }));

  app.delete('/tenants/:tenantId/oauth-clients/:clientId', {
    schema: { operationId: 'revokeTenantOAuthClient', summary: 'Revoke an OAuth client: no new tokens, and the ones it holds are refused at once', params: OAuthClientPath, response: { 200: Described(OAuthClientJson, 'The client, revoked') } },
  }, async (request) => {
    const client = await store.transaction((tx) => revokeOAuthClient(tx, request.params.tenantId, request.params.clientId, nowIso()));
    // Its access tokens are refused from now on: here at once, elsewhere on the notice (PostgreSQL) or within the key cache window.
    await credentialsChanged(services);
    return presentOAuthClient(client);
  });

  app.put('/tenants/:tenantId/org-accounts/:accountId/low-balance', {
    schema: {
      operationId: 'setOrgAccountLowBalance',
      summary: "Set an org account's low-balance notification",
      description: 'As the org surface\'s own replace would: a threshold raised above the balance notifies once (e-mail and event).',
      params: AccountPath,
      body: LowBalanceBody,
      response: { 200: Described(AccountDetail, 'The account, with its new settings') },
    },
  }, async (request, reply) => {
    const { entry, scope } = await directoryEntryOf(services, request.params.tenantId, request.params.accountId);
    if (entry.kind !== 'org_account') throw new NotFound('org_account', entry.id);
    return runOperatorCommand(services, request, reply, scope, entry.id, async (tx, ctx) => {
      const current = await findOrgAccount(tx, scope, entry.id);
      const lowBalance = { hasNotification: request.body.has_notification, notificationEmail: request.body.notification_email, threshold: thresholdOf(current, request.body) };
      const changed = await replaceOrgAccount(tx, ctx, entry.id, { accountId: entry.id, name: current.name, description: current.description, lowBalance });
      return { ...changed, result: await presentDetail(services.vendors, tx, scope, { ...entry, status: changed.result.belowThreshold ? 'low_balance' : 'ok' }) };
    });
  });
}
