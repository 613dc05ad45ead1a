import { createAccount, findAccount, listAccountLedger, listAccounts, updateAccount } from '../domain/accounts.js';
import { createCustomer, findCustomer, listCustomers, updateCustomer } from '../domain/customers.js';
import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { accountCreateInput, accountUpdateInput, customerCreateInput, customerUpdateInput, listQueryOf } from './inputs.js';
import { accountResponse, customerResponse, presentAccount, presentCustomer, presentLedgerEntry, presentList } from './presenter.js';
import * as S from './schemas.js';
import { registerBillRoutes } from './bill-routes.js';

// Security, tags and failure responses come from the surface (openapi-operations.ts).
/** Moment Billing API: customers, their accounts and bills, on Moment's paths under /billing (SPEC §3, §3b). */
export function registerBillingRoutes(app: SurfaceApp, kit: SurfaceKit): void {
  const { services, run } = kit;
  app.post('/customers', {
    schema: { operationId: 'createBillingCustomer', summary: 'Create a customer', headers: S.IdempotencyHeaders(true), body: S.CustomerCreate, response: { 201: Described(S.Customer, 'The customer, created') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createCustomer(tx, ctx, customerCreateInput(request.body)), customerResponse(201)));

  app.get('/customers/:customer', {
    schema: { operationId: 'retrieveBillingCustomer', summary: 'Retrieve a customer by id or external reference', params: S.ObjectPath('customer', 'Customer id (bcus_…) or external reference'), response: { 200: Described(S.Customer, 'The customer') } },
  }, async (request) => presentCustomer(await findCustomer(services.store.reader, request.principal!.scope, request.params.customer)));

  app.patch('/customers/:customer', {
    schema: { operationId: 'updateBillingCustomer', summary: 'Update a customer (only provided fields change)', headers: S.IdempotencyHeaders(false), params: S.ObjectPath('customer', 'Customer id (bcus_…) or external reference'), body: S.CustomerUpdate, response: { 200: Described(S.Customer, 'The customer, updated') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => updateCustomer(tx, ctx, request.params.customer, customerUpdateInput(request.body)), customerResponse(200)));

  app.get('/customers', {
    schema: { operationId: 'listBillingCustomers', summary: 'List customers, newest first', querystring: S.CustomerListQuery, response: { 200: Described(S.ListOf(S.Customer), 'A page of customers') } },
  }, async (request) => {
    const { external_reference, email } = request.query;
    const page = await listCustomers(services.store.reader, request.principal!.scope, { ...listQueryOf(request.query), externalReference: external_reference, email });
    return presentList(page, presentCustomer);
  });

  app.post('/accounts', {
    schema: { operationId: 'createBillingAccount', summary: 'Create an account for an existing or new customer', headers: S.IdempotencyHeaders(true), body: S.AccountCreate, response: { 201: Described(S.Account, 'The account, created (and its customer, when given inline)') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createAccount(tx, ctx, accountCreateInput(request.body)), accountResponse(201)));

  app.get('/accounts/:account', {
    schema: { operationId: 'retrieveBillingAccount', summary: 'Retrieve an account by id or external reference', params: S.ObjectPath('account', 'Account id (bacc_…) or external reference'), response: { 200: Described(S.Account, 'The account') } },
  }, async (request) => presentAccount(await findAccount(services.store.reader, request.principal!.scope, request.params.account)));

  app.patch('/accounts/:account', {
    schema: { operationId: 'updateBillingAccount', summary: 'Update an account (only provided fields change)', headers: S.IdempotencyHeaders(false), params: S.ObjectPath('account', 'Account id (bacc_…) or external reference'), body: S.AccountUpdate, response: { 200: Described(S.Account, 'The account, updated') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => updateAccount(tx, ctx, request.params.account, accountUpdateInput(request.body)), accountResponse(200)));

  app.get('/accounts', {
    schema: { operationId: 'listBillingAccounts', summary: 'List accounts, newest first', querystring: S.AccountListQuery, response: { 200: Described(S.ListOf(S.Account), 'A page of accounts') } },
  }, async (request) => {
    const { customer_id, external_reference } = request.query;
    const page = await listAccounts(services.store.reader, request.principal!.scope, { ...listQueryOf(request.query), customerId: customer_id, externalReference: external_reference });
    return presentList(page, presentAccount);
  });

  app.get('/accounts/:account/ledger_entries', {
    schema: { operationId: 'listBillingAccountLedgerEntries', summary: "List an account's ledger entries, newest first", params: S.ObjectPath('account', 'Account id (bacc_…) or external reference'), querystring: S.LedgerQuery, response: { 200: Described(S.ListOf(S.LedgerEntry), 'A page of ledger entries') } },
  }, async (request) => {
    const page = await listAccountLedger(services.store.reader, request.principal!.scope, request.params.account, listQueryOf(request.query));
    return presentList(page, presentLedgerEntry);
  });

  registerBillRoutes(app, kit);
}
