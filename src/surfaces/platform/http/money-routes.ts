import type { FastifyRequest } from 'fastify';
import { NotFound } from '../../../ledger/errors.js';
import { balanceHolderOf, balanceOf, createTransfer, findTransferByReference, topUpBalance } from '../domain/transfers.js';
import { Described } from '../../../http/openapi-operations.js';
import type { AppServices } from '../../../http/services.js';
import { sendExecution } from '../../../http/idempotency.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { amountOf, currencyOf, forUserIdOf } from './inputs.js';
import { parseJsonKeepingNumberTexts } from './json-numbers.js';
import { balanceResponse, transferResponse } from './presenter.js';
import { requireTestMode } from './routes.js';
import * as S from './schemas.js';

async function countryOf(services: AppServices, request: FastifyRequest): Promise<string> {
  const { tenantId } = request.principal!.scope;
  const tenant = await services.store.reader.tenants.findById(tenantId);
  if (!tenant) throw new NotFound('tenant', tenantId);
  return tenant.country;
}

/** GET /balance and the test-mode top-up, under /balance (reference A.6; SPEC §4). */
export function registerBalanceRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  parseJsonKeepingNumberTexts(app);

  app.get('', {
    schema: { operationId: 'retrievePlatformBalance', summary: "Retrieve the platform's balance, or a sub-account's (for-user-id)", headers: S.BalanceHeaders, querystring: S.BalanceQuery, response: { 200: Described(S.BalanceJson, 'The balance in major units') } },
  }, async (request, reply) => {
    const { scope } = request.principal!;
    const currency = currencyOf(request.query.currency, await countryOf(services, request));
    const holderId = await balanceHolderOf(services.store.reader, scope, forUserIdOf(request));
    return sendExecution(reply, { response: balanceResponse(await balanceOf(services.store.reader, scope, holderId, currency)), replayed: false });
  });

  app.post('/test/topup', {
    schema: { operationId: 'topUpPlatformBalance', summary: 'Add money to a balance (test mode only)', headers: S.MoneyHeaders, body: S.TopUp, response: { 200: Described(S.BalanceJson, 'The balance after the top-up') } },
  }, async (request, reply) => {
    requireTestMode(request, 'POST /balance/test/topup');
    const amount = amountOf(request, currencyOf(request.body.currency, await countryOf(services, request)));
    return run(request, reply, (tx, ctx) => topUpBalance(tx, ctx, forUserIdOf(request), amount), balanceResponse);
  });
}

/** Transfers between the platform and its sub-accounts, under /transfers (reference A.6; SPEC §4). */
export function registerTransferRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  parseJsonKeepingNumberTexts(app);

  app.post('', {
    schema: { operationId: 'createPlatformTransfer', summary: 'Transfer money between the platform and its sub-accounts', headers: S.MutationHeaders, body: S.TransferCreate, response: { 200: Described(S.Transfer, 'The transfer, done') } },
  }, async (request, reply) => {
    const { reference, source_user_id, destination_user_id } = request.body;
    const amount = amountOf(request, currencyOf(request.body.currency, await countryOf(services, request)));
    const input = { reference, amount, sourceUserId: source_user_id, destinationUserId: destination_user_id };
    return run(request, reply, (tx, ctx) => createTransfer(tx, ctx, input), ({ transfer }) => transferResponse(transfer));
  });

  app.get('/reference=:reference', {
    schema: { operationId: 'retrievePlatformTransferByReference', summary: 'Retrieve a transfer by its reference', params: S.TransferPath, response: { 200: Described(S.Transfer, 'The transfer') } },
  }, async (request, reply) => {
    const transfer = await findTransferByReference(services.store.reader, request.principal!.scope, request.params.reference);
    return sendExecution(reply, { response: transferResponse(transfer), replayed: false });
  });
}
