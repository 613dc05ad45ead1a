import type { FastifyRequest } from 'fastify';
import { PermissionDenied } from '../../../ledger/errors.js';
import { createSubAccount, findSubAccount, listSubAccounts, moveSubAccountStatus, updateSubAccount } from '../domain/sub-accounts.js';
import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { subAccountCreateInput, subAccountListQuery, subAccountUpdateInput } from './inputs.js';
import { presentSubAccount, presentSubAccountPage, subAccountResponse } from './presenter.js';
import * as S from './schemas.js';

/** Test-mode helpers (status moves, top-ups) are refused to live keys: there the operator decides. */
export function requireTestMode(request: FastifyRequest, what: string): void {
  if (request.principal?.scope.mode !== 'test') throw new PermissionDenied(`${what} is available in test mode only (use a sk_test_ key)`);
}

// Security, tags and failure responses come from the surface (openapi-operations.ts).
/** xenPlatform sub-accounts on Xendit's paths under /v2/accounts (SPEC §4). */
export function registerAccountRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  app.post('', {
    schema: { operationId: 'createPlatformAccount', summary: 'Create a sub-account (OWNED, MANAGED, or CUSTOM from configurations)', headers: S.MutationHeaders, body: S.AccountCreate, response: { 200: Described(S.Account, 'The sub-account, created') } },
  }, (request, reply) => {
    const input = subAccountCreateInput(request.body);
    return run(request, reply, (tx, ctx) => createSubAccount(tx, ctx, input), subAccountResponse);
  });

  app.get('', {
    schema: { operationId: 'listPlatformAccounts', summary: 'List sub-accounts, newest first', querystring: S.AccountListQuery, response: { 200: Described(S.AccountList, 'A page of sub-accounts') } },
  }, async (request) => {
    const page = await listSubAccounts(services.store.reader, request.principal!.scope, subAccountListQuery(request.query));
    const paged = request.query.after_id !== undefined || request.query.before_id !== undefined;
    return presentSubAccountPage(page, request.query, request.query.before_id !== undefined, paged);
  });

  app.get('/:id', {
    schema: { operationId: 'retrievePlatformAccount', summary: 'Retrieve a sub-account', params: S.AccountPath, response: { 200: Described(S.Account, 'The sub-account') } },
  }, async (request) => presentSubAccount(await findSubAccount(services.store.reader, request.principal!.scope, request.params.id)));

  app.patch('/:id', {
    schema: { operationId: 'updatePlatformAccount', summary: "Update a sub-account's email or public profile", headers: S.MutationHeaders, params: S.AccountPath, body: S.AccountUpdate, response: { 200: Described(S.Account, 'The sub-account, updated') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => updateSubAccount(tx, ctx, request.params.id, subAccountUpdateInput(request.body)), subAccountResponse));

  app.post('/:id/test/status', {
    schema: { operationId: 'movePlatformAccountStatus', summary: "Move a sub-account's status (test mode only)", headers: S.MutationHeaders, params: S.AccountPath, body: S.StatusChange, response: { 200: Described(S.Account, 'The sub-account, with its new status') } },
  }, (request, reply) => {
    requireTestMode(request, 'POST /v2/accounts/{id}/test/status');
    return run(request, reply, (tx, ctx) => moveSubAccountStatus(tx, ctx, request.params.id, request.body.status), subAccountResponse);
  });
}
