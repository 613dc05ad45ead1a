import { NotFound } from '../../../ledger/errors.js';
import { balanceHolderOf, balanceOf, createTransfer, findTransferByReference, topUpBalance } from '../domain/transfers.js';
import { Described } from '../../../http/openapi-operations.js';
import type { Scope } from '../../../ledger/model.js';
import type { Repositories } from '../../../store/ports.js';
import { sendExecution } from '../../../http/idempotency.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { amountOf, currencyOf, forUserIdOf, instantOf } from './inputs.js';
import { parseJsonKeepingNumberTexts } from './json-numbers.js';
import { balanceResponse, transferResponse } from './presenter.js';
import { requireTestMode } from './routes.js';
import * as S from './schemas.js';

/** The platform's country (its default currency's): read by a write inside its own transaction. */
async function countryOf(repos: Repositories, scope: Scope): Promise<string> {
  const tenant = await repos.tenants.findById(scope.tenantId);
  if (!tenant) throw new NotFound('tenant', scope.tenantId);
  return tenant.country;
}

/** GET /balance and the test-mode top-up, under /balance (reference A.6; SPEC §4). */
export function registerBalanceRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  parseJsonKeepingNumberTexts(app);

  app.get('', {
    schema: { operationId: 'retrievePlatformBalance', summary: "Retrieve the platform's balance, or a sub-account's (for-user-id)", headers: S.BalanceHeaders, querystring: S.BalanceQuery, response: { 200: Described(S.BalanceJson, 'The balance in major units') } },
  }, async (request, reply) => {
    const { scope } = request.principal!;
    const currency = currencyOf(request.query.currency, await countryOf(services.store.reader, scope));
    const at = instantOf('at_timestamp', request.query.at_timestamp);
    const holderId = await balanceHolderOf(services.store.reader, scope, forUserIdOf(request));
    const balance = await balanceOf(services.store.reader, scope, holderId, currency, { accountType: request.query.account_type ?? 'CASH', at });
    return sendExecution(reply, { response: balanceResponse(balance), replayed: false });
  });

  app.post('/test/topup', {
    schema: { operationId: 'topUpPlatformBalance', summary: 'Add money to a balance (test mode only)', headers: S.MoneyHeaders, body: S.TopUp, response: { 200: Described(S.BalanceJson, 'The balance after the top-up') } },
  }, async (request, reply) => {
    requireTestMode(request, 'POST /balance/test/topup');
    return run(request, reply, async (tx, ctx) => {
      const amount = amountOf(request, currencyOf(request.body.currency, await countryOf(tx, ctx.scope)));
      return topUpBalance(tx, ctx, forUserIdOf(request), amount);
    }, balanceResponse);
  });
}

/** Transfers between the platform and its sub-accounts, under /transfers (reference A.6; SPEC §4). */
export function registerTransferRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  parseJsonKeepingNumberTexts(app);

  app.post('', {
    schema: { operationId: 'createPlatformTransfer', summary: 'Transfer money between the platform and its sub-accounts', headers: S.MutationHeaders, body: S.TransferCreate, response: { 200: Described(S.Transfer, 'The transfer, done') } },
  }, async (request, reply) => {
    const { reference, source_user_id, destination_user_id } = request.body;
    return run(request, reply, async (tx, ctx) => {
      const amount = amountOf(request, currencyOf(request.body.currency, await countryOf(tx, ctx.scope)));
      return createTransfer(tx, ctx, { reference, amount, sourceUserId: source_user_id, destinationUserId: destination_user_id });
    }, ({ transfer }) => transferResponse(transfer));
  });

  app.get('/reference=:reference', {
    schema: { operationId: 'retrievePlatformTransferByReference', summary: 'Retrieve a transfer by its reference', params: S.TransferPath, response: { 200: Described(S.Transfer, 'The transfer') } },
  }, async (request, reply) => {
    const transfer = await findTransferByReference(services.store.reader, request.principal!.scope, request.params.reference);
    return sendExecution(reply, { response: transferResponse(transfer), replayed: false });
  });
}
