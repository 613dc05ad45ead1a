import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { createBill, findBill, listBills, updateBill } from '../domain/bills.js';
import { billCreateInput, billUpdateInput } from './bill-inputs.js';
import { billResponse, presentBill } from './bill-presenter.js';
import * as B from './bill-schemas.js';
import { listQueryOf } from './inputs.js';
import { presentList } from './presenter.js';
import { IdempotencyHeaders, ListOf, ObjectPath } from './schemas.js';

const BillPath = ObjectPath('bill', 'Bill id (bill_…) or external reference');

/** Moment bills (SPEC §3b), under /billing: a bill never changes a balance. */
export function registerBillRoutes(app: SurfaceApp, { services, run }: SurfaceKit): void {
  app.post('/bills', {
    schema: { operationId: 'createBillingBill', summary: 'Create a bill for a customer or one of its accounts', headers: IdempotencyHeaders(true), body: B.BillCreate, response: { 201: Described(B.Bill, 'The bill, created') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => createBill(tx, ctx, billCreateInput(request.body)), billResponse(201)));

  app.get('/bills/:bill', {
    schema: { operationId: 'retrieveBillingBill', summary: 'Retrieve a bill by id or external reference', params: BillPath, response: { 200: Described(B.Bill, 'The bill') } },
  }, async (request) => presentBill(await findBill(services.store.reader, request.principal!.scope, request.params.bill)));

  app.patch('/bills/:bill', {
    schema: { operationId: 'updateBillingBill', summary: 'Update a bill: amount_paid, due_date, payment_rules, metadata (amount_remaining and status follow)', headers: IdempotencyHeaders(false), params: BillPath, body: B.BillUpdate, response: { 200: Described(B.Bill, 'The bill, updated') } },
  }, (request, reply) => run(request, reply, (tx, ctx) => updateBill(tx, ctx, request.params.bill, billUpdateInput(request.body)), billResponse(200)));

  app.get('/bills', {
    schema: { operationId: 'listBillingBills', summary: 'List bills, newest first', querystring: B.BillListQuery, response: { 200: Described(ListOf(B.Bill), 'A page of bills') } },
  }, async (request) => {
    const { customer_id, account_id, status } = request.query;
    const page = await listBills(services.store.reader, request.principal!.scope, { ...listQueryOf(request.query), customerId: customer_id, accountId: account_id, status });
    return presentList(page, presentBill);
  });
}
