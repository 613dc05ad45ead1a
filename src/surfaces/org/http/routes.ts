import type { Scope } from '../../../ledger/model.js';
import { createOrgAccount, findOrgAccount, listOrgAccounts, replaceOrgAccount } from '../domain/accounts.js';
import { createOrgTransaction, listOrgTransactions } from '../domain/transactions.js';
import { PageTokens } from '../domain/page-tokens.js';
import { signingKeysOf, type SigningKeyServices } from '../store/signing-keys.js';
import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { accountCreateInput, accountReplaceInput, transactionCreateInput, transactionFilterOf } from './inputs.js';
import { accountResponse, presentOrgAccount, presentOrgTransaction, presentPage, transactionResponse } from './presenter.js';
import * as S from './schemas.js';

const pageTokensOf = async (services: SigningKeyServices) => new PageTokens((await signingKeysOf(services).get()).pageTokenSecret);
const listName = (scope: Scope, ...parts: string[]) => [scope.tenantId, scope.mode, ...parts].join('/');

// Security, tags and failure responses come from the surface (openapi-operations.ts); each
// route names the role its token must carry (surface.ts, authorize).
/** BidZenith Organization Accounts under /v1 (SPEC §5, seed 003). */
export function registerOrgRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  const { store } = services;

  app.post('/accounts', {
    config: { orgRole: 'accounts.write' },
    schema: { operationId: 'createOrgAccount', summary: 'Create an account', headers: S.IdempotencyHeaders, body: S.AccountCreate, response: { 200: Described(S.AccountEnvelope, 'The account, created with a zero balance') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createOrgAccount(tx, ctx, accountCreateInput(request.body)), accountResponse));

  app.get('/accounts/:accountId', {
    config: { orgRole: 'accounts.read' },
    schema: { operationId: 'getOrgAccount', summary: 'Get an account', params: S.AccountPath, response: { 200: Described(S.AccountEnvelope, 'The account') } },
  }, async (request) => ({ account: presentOrgAccount(await findOrgAccount(store.reader, request.principal!.scope, request.params.accountId)) }));

  app.get('/accounts', {
    config: { orgRole: 'accounts.read' },
    schema: { operationId: 'listOrgAccounts', summary: 'List accounts, newest first', querystring: S.AccountListQuery, response: { 200: Described(S.AccountList, 'A page of accounts') } },
  }, async (request) => {
    const scope = request.principal!.scope;
    const tokens = await pageTokensOf(services);
    const list = listName(scope, 'accounts');
    const { pageToken, pageSize } = request.query;
    const page = await listOrgAccounts(store.reader, scope, { limit: pageSize, afterId: pageToken ? tokens.open(list, pageToken) : undefined });
    const { items, nextPageToken } = presentPage(page, presentOrgAccount, (last) => tokens.issue(list, last.id));
    return { accounts: items, nextPageToken };
  });

  app.put('/accounts/:accountId', {
    config: { orgRole: 'accounts.write' },
    schema: { operationId: 'replaceOrgAccount', summary: 'Update an account (full replace: omitted optional fields are cleared)', headers: S.IdempotencyHeaders, params: S.AccountPath, body: S.AccountReplace, response: { 200: Described(S.AccountEnvelope, 'The account, updated') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => replaceOrgAccount(tx, ctx, request.params.accountId, accountReplaceInput(request.body)), accountResponse));

  app.post('/accounts/:accountId/transactions', {
    config: { orgRole: 'transactions.write' },
    schema: { operationId: 'createOrgTransaction', summary: 'Create a transaction (topup, adjustment or dataInstance)', headers: S.IdempotencyHeaders, params: S.AccountPath, body: S.TransactionCreate, response: { 200: Described(S.TransactionEnvelope, 'The transaction, with the balance after it') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createOrgTransaction(tx, ctx, request.params.accountId, transactionCreateInput(request.body)), transactionResponse));

  app.get('/accounts/:accountId/transactions', {
    config: { orgRole: 'transactions.read' },
    schema: { operationId: 'listOrgTransactions', summary: "List an account's transactions, newest first", params: S.AccountPath, querystring: S.TransactionListQuery, response: { 200: Described(S.TransactionList, 'A page of transactions') } },
  }, async (request) => {
    const scope = request.principal!.scope;
    const { accountId } = request.params;
    const filter = transactionFilterOf(request.query);
    const tokens = await pageTokensOf(services);
    // The token belongs to this account's list with these filters only.
    const list = listName(scope, 'transactions', accountId, `credit=${filter.credit ?? ''}`, `from=${filter.from ?? ''}`, `to=${filter.to ?? ''}`);
    const { pageToken, pageSize } = request.query;
    const page = await listOrgTransactions(store.reader, scope, accountId, { ...filter, limit: pageSize, afterId: pageToken ? tokens.open(list, pageToken) : undefined });
    const { items, nextPageToken } = presentPage(page, presentOrgTransaction, (last) => tokens.issue(list, last.id));
    return { transactions: items, nextPageToken };
  });
}
