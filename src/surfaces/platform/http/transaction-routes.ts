import { Described } from '../../../http/openapi-operations.js';
import { sendExecution } from '../../../http/idempotency.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { balanceHolderOf } from '../domain/transfers.js';
import { findTransaction, listTransactions } from '../domain/transactions.js';
import { forUserIdOf, transactionListQuery } from './inputs.js';
import { transactionPageResponse, transactionResponse } from './presenter.js';
import * as S from './schemas.js';

/**
 * Xendit's transactions, under /transactions (SPEC §4b; what xendit-node 7's Transaction client
 * reads): the movements of the platform's own balances, or of a sub-account's (for-user-id).
 */
export function registerTransactionRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  app.get('', {
    schema: {
      operationId: 'listPlatformTransactions',
      summary: "List the platform's transactions, or a sub-account's (for-user-id), newest first",
      headers: S.BalanceHeaders,
      querystring: S.TransactionListQuery,
      response: { 200: Described(S.TransactionList, 'A page of transactions; `links` leads to the neighbouring pages') },
    },
  }, async (request, reply) => {
    const { scope } = request.principal!;
    const repos = services.store.reader;
    const query = transactionListQuery(request.query);
    const holderId = await balanceHolderOf(repos, scope, forUserIdOf(request));
    const page = await listTransactions(repos, scope, holderId, query);
    const paged = request.query.after_id !== undefined || request.query.before_id !== undefined;
    return sendExecution(reply, { response: transactionPageResponse(page, scope.tenantId, request.query, request.query.before_id !== undefined, paged), replayed: false });
  });

  app.get('/:id', {
    schema: {
      operationId: 'retrievePlatformTransaction',
      summary: 'Retrieve one of the transactions of the platform, or of a sub-account (for-user-id)',
      headers: S.BalanceHeaders,
      params: S.TransactionPath,
      response: { 200: Described(S.Transaction, 'The transaction') },
    },
  }, async (request, reply) => {
    const { scope } = request.principal!;
    const repos = services.store.reader;
    const holderId = await balanceHolderOf(repos, scope, forUserIdOf(request));
    const transaction = await findTransaction(repos, scope, holderId, request.params.id);
    return sendExecution(reply, { response: transactionResponse(transaction, scope.tenantId), replayed: false });
  });
}
