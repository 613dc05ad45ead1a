import { platformRepositories } from '../store/repositories.js';
import { Type } from 'typebox';
import { NotFound } from '../../../ledger/errors.js';
import type { Mode } from '../../../ledger/model.js';
import { canMoveStatus, moveSubAccountStatus } from '../domain/sub-accounts.js';
import { SUB_ACCOUNT_STATUSES, type SubAccount, type SubAccountStatus } from '../domain/model.js';
import type { HolderPage } from '../../vendor-module.js';
import { getTenant } from '../../../tenancy/tenants.js';
import { Described } from '../../../http/openapi-operations.js';
import type { AppServices } from '../../../http/services.js';
import type { SurfaceApp } from '../../../http/surface.js';
import { runOperatorCommand } from '../../../admin/operator-command.js';

const StatusMove = Type.Object(
  {
    status: Type.Union(SUB_ACCOUNT_STATUSES.map((s) => Type.Literal(s)), { description: `must be one of ${SUB_ACCOUNT_STATUSES.join(', ')}` }),
    mode: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('live')], { description: 'must be "test" or "live"; default: the mode the account is in' })),
  },
  { additionalProperties: false, examples: [{ status: 'LIVE' }] },
);
const Path = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }), accountId: Type.String({ minLength: 1, maxLength: 64 }) });
const PlatformAccount = Type.Object({
  id: Type.String(),
  mode: Type.String(),
  type: Type.String(),
  status: Type.String(),
  email: Type.String(),
  business_name: Type.String(),
  updated_at: Type.String({ format: 'date-time' }),
});

const presentPlatformAccount = (a: SubAccount, mode: Mode) => ({ id: a.id, mode, type: a.type, status: a.status, email: a.email, business_name: a.publicProfile.businessName, updated_at: a.updatedAt });

/**
 * The mode the account is in: ids are unique across modes in practice, so without a `mode` in
 * the request it is looked up in live, then test (one keyed read each).
 * @throws NotFound
 */
async function modeOf(services: AppServices, tenantId: string, accountId: string): Promise<Mode> {
  for (const mode of ['live', 'test'] as const) {
    if (await platformRepositories.of(services.store.reader).subAccounts.findById({ tenantId, mode }, accountId)) return mode;
  }
  throw new NotFound('sub_account', accountId);
}

/** A sub-account on the console's account page: its status moves are its action. */
export const subAccountPage: HolderPage = {
  find: (repos, scope, id) => platformRepositories.of(repos).subAccounts.findById(scope, id),
  actions(_holder, entry) {
    const current = entry.status as SubAccountStatus;
    return { platform_status: { current, allowed: SUB_ACCOUNT_STATUSES.filter((s) => s !== current && canMoveStatus(current, s)) } };
  },
};

/**
 * The operator moves a platform sub-account's status (SPEC §4: live mode has no test endpoint).
 * The change emits the platform's events, in Xendit's envelope, as its own routes would.
 */
export function registerPlatformAdminRoutes(app: SurfaceApp, services: AppServices): void {
  app.post('/tenants/:tenantId/platform-accounts/:accountId/status', {
    schema: {
      operationId: 'movePlatformAccountStatusAsOperator',
      summary: "Move a platform sub-account's status (any mode)",
      params: Path,
      body: StatusMove,
      response: { 200: Described(PlatformAccount, 'The sub-account, with its new status') },
    },
  }, async (request, reply) => {
    const { tenantId, accountId } = request.params;
    await getTenant(services.store.reader, tenantId);
    const mode = request.body.mode ?? (await modeOf(services, tenantId, accountId));
    return runOperatorCommand(services, request, reply, { tenantId, mode }, accountId, async (tx, ctx) => {
      const moved = await moveSubAccountStatus(tx, ctx, accountId, request.body.status);
      return { ...moved, result: presentPlatformAccount(moved.result, mode) };
    });
  });
}
