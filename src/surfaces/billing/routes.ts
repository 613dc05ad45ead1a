import { createAccount, findAccount, listAccountLedger, listAccounts, updateAccount } from '../../core/accounts.js';
import { createCustomer, findCustomer, listCustomers, updateCustomer } from '../../core/customers.js';
import type { SurfaceApp, SurfaceKit } from '../../http/surface.js';
import { accountCreateInput, accountUpdateInput, customerCreateInput, customerUpdateInput, listQueryOf } from './inputs.js';
import { accountResponse, customerResponse, presentAccount, presentCustomer, presentLedgerEntry, presentList } from './presenter.js';
import * as S from './schemas.js';

const ERRORS = { 400: {}, 401: {}, 403: {}, 404: {}, 409: {}, 413: {}, 415: {}, 429: {}, 500: {} };
const problemResponses = (...statuses: (keyof typeof ERRORS)[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'application/problem+json (RFC 9457)', type: 'object', additionalProperties: true }]));

const security = [{ billingSecretKey: [] }];
const tags = ['billing'];

/** Moment Billing API: customers and their accounts, on Moment's paths under /billing (SPEC §3). */
export function registerBillingRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  app.post('/customers', {
    schema: { tags, security, summary: 'Create a customer', headers: S.IdempotencyHeaders(true), body: S.CustomerCreate, response: { 201: S.Customer, ...problemResponses(400, 401, 403, 409) } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createCustomer(tx, ctx, customerCreateInput(request.body)), customerResponse(201)));

  app.get('/customers/:customer', {
    schema: { tags, security, summary: 'Retrieve a customer by id or external reference', params: S.ObjectPath('customer', 'Customer id (bcus_…) or external reference'), response: { 200: S.Customer, ...problemResponses(401, 403, 404) } },
  }, async (request) => presentCustomer(await findCustomer(services.store.reader, request.principal!.scope, request.params.customer)));

  app.patch('/customers/:customer', {
    schema: { tags, security, summary: 'Update a customer (only provided fields change)', headers: S.IdempotencyHeaders(false), params: S.ObjectPath('customer', 'Customer id (bcus_…) or external reference'), body: S.CustomerUpdate, response: { 200: S.Customer, ...problemResponses(400, 401, 403, 404) } },
  }, (request, reply) => run(request, reply, (tx, ctx) => updateCustomer(tx, ctx, request.params.customer, customerUpdateInput(request.body)), customerResponse(200)));

  app.get('/customers', {
    schema: { tags, security, summary: 'List customers, newest first', querystring: S.CustomerListQuery, response: { 200: S.ListOf(S.Customer), ...problemResponses(400, 401, 403) } },
  }, async (request) => {
    const { external_reference, email } = request.query;
    const page = await listCustomers(services.store.reader, request.principal!.scope, { ...listQueryOf(request.query), externalReference: external_reference, email });
    return presentList(page, presentCustomer);
  });

  app.post('/accounts', {
    schema: { tags, security, summary: 'Create an account for an existing or new customer', headers: S.IdempotencyHeaders(true), body: S.AccountCreate, response: { 201: S.Account, ...problemResponses(400, 401, 403, 409) } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createAccount(tx, ctx, accountCreateInput(request.body)), accountResponse(201)));

  app.get('/accounts/:account', {
    schema: { tags, security, summary: 'Retrieve an account by id or external reference', params: S.ObjectPath('account', 'Account id (bacc_…) or external reference'), response: { 200: S.Account, ...problemResponses(401, 403, 404) } },
  }, async (request) => presentAccount(await findAccount(services.store.reader, request.principal!.scope, request.params.account)));

  app.patch('/accounts/:account', {
    schema: { tags, security, summary: 'Update an account (only provided fields change)', headers: S.IdempotencyHeaders(false), params: S.ObjectPath('account', 'Account id (bacc_…) or external reference'), body: S.AccountUpdate, response: { 200: S.Account, ...problemResponses(400, 401, 403, 404) } },
  }, (request, reply) => run(request, reply, (tx, ctx) => updateAccount(tx, ctx, request.params.account, accountUpdateInput(request.body)), accountResponse(200)));

  app.get('/accounts', {
    schema: { tags, security, summary: 'List accounts, newest first', querystring: S.AccountListQuery, response: { 200: S.ListOf(S.Account), ...problemResponses(400, 401, 403) } },
  }, async (request) => {
    const { customer_id, external_reference } = request.query;
    const page = await listAccounts(services.store.reader, request.principal!.scope, { ...listQueryOf(request.query), customerId: customer_id, externalReference: external_reference });
    return presentList(page, presentAccount);
  });

  app.get('/accounts/:account/ledger_entries', {
    schema: { tags, security, summary: "The account's ledger, newest first", params: S.ObjectPath('account', 'Account id (bacc_…) or external reference'), querystring: S.LedgerQuery, response: { 200: S.ListOf(S.LedgerEntry), ...problemResponses(400, 401, 403, 404) } },
  }, async (request) => {
    const page = await listAccountLedger(services.store.reader, request.principal!.scope, request.params.account, listQueryOf(request.query));
    return presentList(page, presentLedgerEntry);
  });
}
