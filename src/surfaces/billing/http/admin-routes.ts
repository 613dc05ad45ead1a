import { Type } from 'typebox';
import { AccountPath, directoryEntryOf } from '../../../admin/account-routes.js';
import { Described } from '../../../http/openapi-operations.js';
import type { AppServices } from '../../../http/services.js';
import type { SurfaceApp } from '../../../http/surface.js';
import { listBills } from '../domain/bills.js';
import { Bill } from './bill-schemas.js';
import { presentBill } from './bill-presenter.js';

const BillsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }) }, { additionalProperties: false });
const BillPage = Type.Object({ data: Type.Array(Bill), has_more: Type.Boolean() });

/** Operator reads of billing objects, for the console's account page. */
export function registerBillingAdminRoutes(app: SurfaceApp, services: AppServices): void {
  app.get('/tenants/:tenantId/accounts/:accountId/bills', {
    schema: {
      operationId: 'listDirectoryAccountBills',
      summary: "A billing account's or customer's bills, newest first (empty for holders of other surfaces)",
      params: AccountPath,
      querystring: BillsQuery,
      response: { 200: Described(BillPage, 'The bills, as the billing API shows them') },
    },
  }, async (request) => {
    const { entry, scope } = await directoryEntryOf(services, request.params.tenantId, request.params.accountId);
    const filter = entry.kind === 'account' ? { accountId: entry.id } : entry.kind === 'customer' ? { customerId: entry.id } : undefined;
    if (entry.surface !== 'billing' || !filter) return { data: [], has_more: false };
    const page = await listBills(services.store.reader, scope, { limit: request.query.limit, ...filter });
    return { data: page.items.map(presentBill), has_more: page.hasMore };
  });
}
